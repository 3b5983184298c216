"""ENG-IAM-04 over the window: each account's password policy from snapshots and policy-change events, via moto."""

from __future__ import annotations

from expectations.eng_iam_04 import SPEC, EngIam04Parameters
from socready_sandbox.aws_iam import BASELINE_PASSWORD_POLICY, WEAK_PASSWORD_POLICY, iam_event, request_fields
from tests.controls.iam_fixtures import (
    PROD,
    STAGING,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    gaps,
    iam,
    intervals,
    upload,
)

CONTROL = "ENG-IAM-04"
WEAK = "minimum length 8; symbols not required"


def set_policy(endpoint: str, account: str, policy: dict) -> None:
    iam(endpoint, account).update_account_password_policy(**policy)


def update(when, policy: dict, actor: str, account: str = PROD) -> dict:
    return iam_event("UpdateAccountPasswordPolicy", when, account, actor, request_fields(policy))


def test_baseline_policy_all_window_operates(aws, tmp_path):
    set_policy(aws, PROD, BASELINE_PASSWORD_POLICY)
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason


def test_policy_weakened_for_a_week_is_one_exception(aws, tmp_path):
    set_policy(aws, PROD, BASELINE_PASSWORD_POLICY)
    baseline = update(at(30, 16, month=6), BASELINE_PASSWORD_POLICY, "alice")  # the day before the window
    upload(
        aws, [baseline, update(at(6), WEAK_PASSWORD_POLICY, "bilal"), update(at(13), BASELINE_PASSWORD_POLICY, "alice")]
    )
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "exception"
    assert intervals(result) == [(f"account/{PROD}", at(6), at(13), f"{WEAK} (UpdateAccountPasswordPolicy by bilal)")]
    assert result.coverage_gaps == []


def test_change_with_nothing_shown_before_it_leaves_those_days_without_evidence(aws, tmp_path):
    set_policy(aws, PROD, BASELINE_PASSWORD_POLICY)
    upload(aws, [update(at(6), WEAK_PASSWORD_POLICY, "bilal"), update(at(13), BASELINE_PASSWORD_POLICY, "alice")])
    result = assess(tmp_path, aws, CONTROL)
    assert gaps(result) == [(f"account/{PROD}", WINDOW_START, at(6))]
    assert [(e.start, e.end) for e in result.exceptions] == [(at(6), at(13))]


def test_account_without_a_policy_and_one_below_baseline_are_exceptions_the_compliant_one_is_not(aws, tmp_path):
    set_policy(aws, PROD, BASELINE_PASSWORD_POLICY)
    set_policy(aws, STAGING, {**BASELINE_PASSWORD_POLICY, "PasswordReusePrevention": 5, "MaxPasswordAge": 365})
    third = "333333333333"  # no policy: GetAccountPasswordPolicy answers NoSuchEntity, a state and not a failure
    upload(aws, [], accounts=(PROD, STAGING, third))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING, third))
    assert result.collection_errors == []
    assert [(e.resource, e.start, e.end, e.value.split(" (")[0]) for e in result.exceptions] == [
        (f"account/{STAGING}", WINDOW_START, WINDOW_END, "maximum age 365; reuse prevention 5"),
        (f"account/{third}", WINDOW_START, WINDOW_END, "no password policy: IAM defaults apply"),
    ]
    assert result.population == 3


def test_scope_can_relax_the_baseline(aws, tmp_path):
    set_policy(aws, PROD, {**BASELINE_PASSWORD_POLICY, "MaxPasswordAge": 365})
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL, controls={CONTROL: {"parameters": {"max_age_days": 0}}})
    assert result.status == "operating", result.reason


def test_the_suite_states_the_baseline_over_the_policys_settings():
    relaxed = EngIam04Parameters(min_length=16, require_symbols=False, max_age_days=0)
    stated = {(r.expectation, r.arguments["column"]): r.arguments for r in SPEC.rules(relaxed)}
    assert stated[("ExpectColumnValuesToBeBetween", "min_length")]["min_value"] == 16
    assert stated[("ExpectColumnValuesToBeBetween", "reuse_prevention")]["min_value"] == 24
    assert ("ExpectColumnValuesToBeInSet", "require_numbers") in stated
    assert ("ExpectColumnValuesToBeInSet", "require_symbols") not in stated
    assert ("ExpectColumnValuesToBeBetween", "max_age_days") not in stated
    default = {r.arguments["column"]: r.arguments for r in SPEC.rules(EngIam04Parameters())}
    assert (default["max_age_days"]["min_value"], default["max_age_days"]["max_value"]) == (1, 90)
