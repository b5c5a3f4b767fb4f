"""The environment variables users and scripts set; one place, import-free."""

TOKEN_ENV = "NEO_API_TOKEN"  # the token; overrides the keyring
URL_ENV = "NEO_API_URL"  # the API base URL; overrides the setting
