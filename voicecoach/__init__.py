"""voicecoach: an offline, voice-guided, hands-free workout coach."""

__version__ = "0.1.0"
