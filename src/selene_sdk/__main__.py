"""``python -m selene_sdk CONFIG [--lr LR]``."""

from selene_sdk.cli import legacy_main

if __name__ == "__main__":
    raise SystemExit(legacy_main())
