"""What many test files share: constants (`constants`), the one way to run the app as a process
and to read a child's output (`processes`), the "start and wait until idle" preamble of the
in-process tray (`app`), reading and closing views built by hand (`views`) and waiting for the
notifier's deliveries (`notifications`). Fixtures stay in tests/conftest.py."""
