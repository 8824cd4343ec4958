"""The parts of the flow analysis that stand on their own: path states,
conditions, and which `except` catches which exception."""
from __future__ import annotations

import libcst as cst
import pytest

from leaklint.catalogue import default_catalogue
from leaklint.flow import conditions as flow_conditions
from leaklint.flow.conditions import Conditions, correlated_flags
from leaklint.flow.exceptions import HandlerMatch, dispatch, handler_matches
from leaklint.flow.facts import Category, Cause, CauseKind, Phase, Site
from leaklint.flow.state import ParameterSite, State, Tag, TagKind

CATALOGUE = default_catalogue()


def make_site(number: int, var: str = "conn") -> Site:
    call = cst.parse_expression("sqlite3.connect(path)")
    acquire = CATALOGUE.function("sqlite3.connect")
    return Site(number, call, acquire, CATALOGUE.kind(acquire.kind), var, cst.Pass())


def holding(*pairs: tuple[str, object]) -> State:
    state = State((), ())
    for name, site in pairs:
        state = state.bind(name, site).set_phase(site, Phase.OPEN)
    return state


def expression(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def handler(code: str) -> cst.ExceptHandler:
    statement = cst.parse_statement(f"try:\n    pass\n{code}:\n    pass\n")
    return statement.handlers[0]


def raised(code: str = "", category: Category = Category.ERROR) -> Tag:
    """The tag of `raise <code>`, or of a call that raised when `code` is empty."""
    node = cst.parse_statement(f"raise {code}".strip()).body[0]
    name = code.split("(")[0].rsplit(".", 1)[-1] or None
    return Tag(TagKind.RAISE, node, category, explicit=bool(code), key=node, exception_name=name)


# -- states ------------------------------------------------------------------------------


def test_states_reached_in_a_different_order_are_one_state():
    first, second = make_site(0), make_site(1, "other")
    one = State((), ()).set_phase(first, Phase.OPEN).set_phase(second, Phase.RELEASED).bind("conn", first).bind("other", second)
    two = State((), ()).bind("other", second).bind("conn", first).set_phase(second, Phase.RELEASED).set_phase(first, Phase.OPEN)
    assert one == two and hash(one) == hash(two)
    assert len({one, two}) == 1


def test_a_parameter_is_a_site_of_its_own_kind():
    parameter = ParameterSite(0, "conn")
    site = make_site(1, "cur")
    state = holding(("conn", parameter), ("cur", site))
    assert state.site_of("conn") is parameter and state.site_of("cur") is site
    assert [held for held, _ in state.open_sites()] == [parameter, site]


def test_names_holding_the_same_resource():
    site = make_site(0)
    state = holding(("conn", site)).bind("alias", site)
    assert sorted(state.holders(site)) == ["alias", "conn"]
    assert state.bind("conn", None).holders(site) == ["alias"]


def test_the_first_cause_of_an_open_resource_stays():
    site = make_site(0)
    first = Cause(CauseKind.EXCEPTION, cst.Pass())
    later = Cause(CauseKind.JUMP, cst.Pass())
    state = holding(("conn", site)).with_cause(site, first).with_cause(site, later)
    assert state.cause(site) is first and state.phase(site) == Phase.OPEN


def test_a_finally_block_parks_the_exit_and_gives_it_back():
    tag = raised("ValueError()")
    parked = holding().with_tag(tag).park()
    assert parked.tag is None and parked.unpark().tag == tag
    left = Tag(TagKind.RETURN, cst.Pass())
    assert parked.with_tag(left).unpark().tag == left  # the finally returned: the raise is dropped


def test_rebinding_a_name_forgets_the_flags_tested_on_it():
    state = holding().set_flag("own", True).set_flag("self.conn", False)
    assert state.flag("own") is True
    assert state.forget_flags("self").flag("self.conn") is None
    assert state.forget_flags("own").flags == (("self.conn", False),)


# -- conditions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ("conn", ("conn", True)),
        ("self.conn", ("self.conn", True)),
        ("not conn", ("conn", False)),
        ("conn is not None", ("conn", True)),
        ("conn is None", ("conn", False)),
        ("not conn is None", ("conn", True)),
        ("conn == other", (None, True)),
        ("f(conn)", (None, True)),
    ],
)
def test_the_name_a_test_is_about(test, expected):
    assert flow_conditions.tested_name(expression(test)) == expected


def test_only_flags_tested_twice_or_reset_to_none_are_followed():
    body = cst.parse_module(
        "if own:\n    pass\n"
        "if own:\n    pass\n"
        "if once:\n    pass\n"
        "conn = None\n"
        "if conn is not None:\n    pass\n"
    )
    assert correlated_flags(body) == {"own", "conn"}


def test_a_test_on_a_name_holding_a_resource():
    site = make_site(0)
    conditions = Conditions(set(), {"conn"})
    state = holding(("conn", site))
    assert conditions.refine(state, expression("conn is None"), True) is None
    assert conditions.refine(state, expression("conn"), True) is state
    empty = State((), ())
    assert conditions.refine(empty, expression("conn"), True) is None  # nothing acquired on this path
    assert conditions.refine(empty, expression("unrelated"), True) is empty


def test_a_parameter_may_be_none():
    conditions = Conditions(set(), set())
    parameter = ParameterSite(0, "conn")
    state = holding(("conn", parameter))
    when_none = conditions.refine(state, expression("conn is None"), True)
    assert when_none is not None  # the path stays: the caller may pass None
    assert when_none.phase(parameter) is Phase.RELEASED  # and there is nothing to release on it
    assert conditions.refine(state, expression("conn"), True) is state


def test_a_flag_takes_the_same_branch_twice():
    conditions = Conditions({"own"}, set())
    owned = conditions.refine(State((), ()), expression("own"), True)
    assert owned is not None and owned.flag("own") is True
    assert conditions.refine(owned, expression("not own"), True) is None
    assert conditions.refine(owned, expression("own"), True) is owned


# -- except handlers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "tag", "expected"),
    [
        ("except", raised(category=Category.BASE), HandlerMatch.FULL),
        ("except BaseException", raised(category=Category.BASE), HandlerMatch.FULL),
        ("except Exception", raised(), HandlerMatch.FULL),
        ("except Exception", raised(category=Category.BASE), HandlerMatch.NONE),
        ("except asyncio.CancelledError", raised(category=Category.BASE), HandlerMatch.PARTIAL),
        ("except ValueError", raised(), HandlerMatch.PARTIAL),
        ("except ValueError", raised("ValueError('x')"), HandlerMatch.FULL),
        ("except (KeyError, ValueError)", raised("ValueError"), HandlerMatch.FULL),
        ("except Exception", raised("errors.Conflict()"), HandlerMatch.FULL),
        ("except KeyError", raised("errors.Conflict()"), HandlerMatch.PARTIAL),
        ("except KeyError", raised("ValueError()"), HandlerMatch.NONE),
        ("except Exception", raised("SystemExit(1)"), HandlerMatch.NONE),
    ],
)
def test_which_handler_catches_what(clause, tag, expected):
    assert handler_matches(handler(clause), tag) is expected


def test_a_caught_raise_enters_the_handlers_that_may_catch_it():
    site = make_site(0)
    tag = raised("ValueError()")
    state = holding(("conn", site)).with_tag(tag)
    handlers = [handler("except KeyError"), handler("except ValueError"), handler("except Exception")]
    passing, entering = dispatch([state], handlers)
    assert passing == []
    assert entering[0] == [] and entering[2] == []
    (entered,) = entering[1]
    assert entered.tag is None
    assert entered.cause(site) == Cause(CauseKind.RAISE, tag.node, key=tag.key)


def test_a_raise_partly_caught_also_passes_the_handlers_by():
    tag = raised()
    state = holding(("conn", make_site(0))).with_tag(tag)
    passing, entering = dispatch([state], [handler("except ValueError")])
    assert passing == [state] and len(entering[0]) == 1
