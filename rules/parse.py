"""LKL000: the file could not be parsed (reported by the engine itself)."""
from leaklint.ruleinfo import RuleInfo

PARSE_ERROR = RuleInfo("LKL000", "parse-error", "The file could not be parsed; the other files are still linted.")
