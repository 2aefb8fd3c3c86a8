from voicecoach.cli import run

run()
