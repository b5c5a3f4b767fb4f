"""What many test files share: constants, the one way to run the app as a process, and the
"start and wait until idle" preamble. Fixtures stay in tests/conftest.py."""
