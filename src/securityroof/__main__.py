"""`python -m securityroof` runs the `roof` command."""

from securityroof.cli import main

main()
