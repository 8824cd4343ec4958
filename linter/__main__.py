from leaklint.cli import run

run()
