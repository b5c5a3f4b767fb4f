"""The detail window; imported the first time it opens, never at start-up."""
