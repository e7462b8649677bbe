"""The `fangfan` console command: Django's manage.py under the project's own name."""
import os
import sys


def main() -> None:
    """Run a management command (`fangfan migrate`, `fangfan demo`, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
