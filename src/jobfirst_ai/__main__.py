"""`python -m jobfirst_ai` runs the CLI."""

from jobfirst_ai.cli.main import main

main()
