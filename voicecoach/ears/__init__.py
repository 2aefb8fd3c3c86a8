"""The ears: audio sources, recognizers and the phrase table that turn speech into intents."""
