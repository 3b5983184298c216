"""Sandbox IAM: the workforce's users, and the events of leavers' access being removed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import boto3

from socready.sandbox.cloudtrail_files import cloudtrail_event
from socready.sandbox.company import IAM_ACCOUNT, PEOPLE, REGIONS, TIMEZONE

PLANTED = {("ENG-ACC-03", "employee/E1004")}


def seed(sessions: dict[str, boto3.Session], endpoint: str) -> None:
    iam = sessions[IAM_ACCOUNT].client("iam", endpoint_url=endpoint)
    for person in PEOPLE:
        if person.iam_user:
            iam.create_user(UserName=person.iam_user)
            iam.create_login_profile(UserName=person.iam_user, Password="Sandbox-not-a-secret-1!")
            if person.termination_date:
                iam.delete_login_profile(UserName=person.iam_user)


def events() -> list[dict]:
    found = []
    tz = ZoneInfo(TIMEZONE)
    for person in PEOPLE:
        if person.termination_date and person.iam_user and person.removed_after_hours is not None:
            last_day_end = datetime.combine(person.termination_date + timedelta(days=1), time(0), tz)
            when = last_day_end + timedelta(hours=person.removed_after_hours)
            params = {"userName": person.iam_user}
            found.append(cloudtrail_event("DeleteLoginProfile", when, IAM_ACCOUNT, REGIONS[0], "it-ops", params))
    return found


def config_items() -> list[dict]:
    return []
