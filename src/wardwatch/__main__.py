"""python -m wardwatch: the same as the wardwatch command."""
from .cli import main

main()
