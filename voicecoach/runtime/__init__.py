"""What runs a session around the pure engine: clocks, the Runner, the real-time and
virtual main loops, the log writer, the printer, and the observer protocol.
See ARCHITECTURE.md."""
