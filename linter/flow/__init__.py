"""Path-sensitive flow analysis of one function, shared by every rule.

The analysis follows each resource the function acquires along every path:
whether it is open, released or handed off there, which names hold it, and
why an open resource is still open (an exception skipped its release, a
`break` jumped over it). Any call and any `await` may raise.

The result is `facts.FunctionFacts`: per acquisition, where it leaks and
why. Rules and fixes read those facts and nothing else of this package.
"""
from .interpreter import FlowAnalysis

__all__ = ["FlowAnalysis"]
