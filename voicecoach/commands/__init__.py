"""One module per subcommand: `register(subparsers)` (cheap) and `run(args) -> int`."""
