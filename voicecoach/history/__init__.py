"""Memory between workouts: the history database (`store`), streaks against a routine's
frequency (`streaks`), and the session observer that writes the history as a session goes."""
