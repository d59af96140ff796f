"""Read-only FC calls the console pages make through a profile: test connection, pickers.

The lists behind the invoke form's pickers are cached briefly (per profile, region and what),
so typing in the form does not turn into a burst of List calls against the account.

A target with a service is FC 2.0 (services hold functions; versions and aliases are the
service's); without one it is FC 3.0 (ListFunctions of the region, versions and aliases per
function). Each picker takes the service as it is typed, empty for FC 3.0.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

from django.core.cache import cache

from invocations.crypto import DecryptionError
from invocations.fc.errors import FCError
from invocations.fc.targets import Target

CACHE_SECONDS = 30
# A picker is a convenience: the first page-worth of names is enough to choose from.
MAX_ITEMS = 200
# Profiles listed at once on the Functions page.
LISTING_THREADS = 4


def test_connection(profile) -> tuple[bool, str]:
    """Call ListServices (FC 2.0) and ListFunctions (FC 3.0) and say in plain words what FC
    answered: one profile reaches both, each through its own endpoint rule."""
    try:
        names = [s.get("serviceName", "") for s in islice(profile.client().list_services(), MAX_ITEMS)]
    except FCError as error:
        if profile.endpoint_for(fc3=True) == profile.endpoint_for():
            return False, describe_error(error)  # the same host would refuse 3.0 the same way
        fc2_ok, fc2_text = False, describe_error(error)
    else:
        fc2_ok, fc2_text = True, _connected(names)
    fc3_ok, fc3_text = _fc3_connection(profile)
    return fc2_ok and fc3_ok, f"{fc2_text} FC 3.0: {fc3_text}"


def _connected(services: list[str]) -> str:
    if not services:
        return "Connected: FC accepted the credentials. The account has no services in this region yet."
    return f"Connected: FC accepted the credentials and listed {len(services)} service(s): {_some(services)}."


def _fc3_connection(profile) -> tuple[bool, str]:
    try:
        functions = islice(
            profile.client().list_functions(region=profile.default_region, fc_version="v3"), MAX_ITEMS
        )
        names = [f.get("functionName", "") for f in functions]
    except FCError as error:
        return False, describe_error(error)
    if not names:
        return True, "accepted; no functions in this region yet."
    return True, f"listed {len(names)} function(s): {_some(names)}."


def _some(names: list[str]) -> str:
    return ", ".join(names[:5]) + (", …" if len(names) > 5 else "")


def describe_error(error: FCError) -> str:
    if error.status is None:
        return f"Could not reach FC ({error.code}): {error.message}"
    return f"FC refused with {error.code} (HTTP {error.status}): {error.message}"


def _cached_list(profile, region: str, what: tuple[str, ...], fetch) -> list:
    key = f"fcconsole:browse:{profile.pk}:{profile.updated_at.timestamp()}:{region}:{':'.join(what)}"
    items = cache.get(key)
    if items is None:
        items = list(islice(fetch(profile.client(region)), MAX_ITEMS))
        cache.set(key, items, CACHE_SECONDS)
    return items


def services(profile, region: str) -> list[str]:
    items = _cached_list(profile, region, ("services",), lambda c: c.list_services())
    return [s["serviceName"] for s in items]


def functions(profile, region: str, service: str = "") -> list[str]:
    """A 2.0 service's functions; without a service, the region's FC 3.0 functions (only those:
    how FC 3.0 names a 2.0 function is not a name the 3.0 invoke path takes)."""
    if service:
        items = _cached_list(profile, region, ("functions", service), lambda c: c.list_functions(service))
    else:
        items = _cached_list(
            profile, region, ("functions3",), lambda c: c.list_functions(fc_version="v3", region=region)
        )
    return [f["functionName"] for f in items]


def qualifiers(profile, region: str, service: str = "", function: str = "") -> list[tuple[str, str]]:
    """(qualifier, label) pairs: LATEST, the aliases, then the versions newest first. FC 2.0:
    the service's; FC 3.0 (no service): the function's (none until a function is chosen)."""
    if service:
        aliases = _cached_list(profile, region, ("aliases", service), lambda c: c.list_aliases(service))
        versions = _cached_list(
            profile, region, ("versions", service), lambda c: c.list_service_versions(service)
        )
    elif function:
        target = Target(region, function)
        aliases = _cached_list(profile, region, ("aliases3", function), lambda c: c.list_aliases(target))
        versions = _cached_list(profile, region, ("versions3", function), lambda c: c.list_versions(target))
    else:
        return []
    choices = [("LATEST", "LATEST")]
    choices += [(a["aliasName"], f"alias → version {a.get('versionId', '?')}") for a in aliases]
    choices += [
        (str(v["versionId"]), v.get("description") or "version")
        for v in sorted(versions, key=lambda v: int(v["versionId"]), reverse=True)
    ]
    return choices


def http_trigger(profile, region: str, service: str, function: str, qualifier: str = "") -> dict | None:
    """The function's HTTP trigger for this qualifier (as `s invoke` picks it), or None; an
    empty service means an FC 3.0 function."""
    target = Target(region, function, service)
    triggers = _cached_list(
        profile, region, ("triggers", service, function), lambda c: c.list_triggers(target)
    )
    wanted = {qualifier} if qualifier and qualifier != "LATEST" else {"", "LATEST"}
    for trigger in triggers:
        if (
            str(trigger.get("triggerType", "")).lower() in ("http", "https")
            and (trigger.get("qualifier") or "") in wanted
        ):
            return _with_config(trigger)
    return None


def _with_config(trigger: dict) -> dict:
    """FC 3.0 sends `triggerConfig` as a JSON string, FC 2.0 as an object: the page reads an object."""
    config = trigger.get("triggerConfig")
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError:
            config = {}
        trigger = {**trigger, "triggerConfig": config if isinstance(config, dict) else {}}
    return trigger


# -- the Functions page: every function a profile reaches in its default region --------------


@dataclass
class Listing:
    """What FC listed through one profile in one region: (service, function) pairs, the service
    empty for FC 3.0 functions, and what FC answered when a list failed, in plain words."""

    profile_pk: int
    region: str
    functions: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    truncated: bool = False  # a list stopped at MAX_ITEMS


def _listing_key(profile) -> str:
    return f"fcconsole:browse:{profile.pk}:{profile.updated_at.timestamp()}:{profile.default_region}:listing"


def listings(profiles) -> list[Listing]:
    """For each profile, the 2.0 services' functions and the 3.0 functions of its default region.

    Each profile's listing is cached as a whole, failures included, for CACHE_SECONDS: an
    unreachable endpoint costs its timeout once per interval, not on every visit. Profiles not
    in the cache are listed a few at a time, so slow accounts do not add up; those threads
    only talk to FC (the cache and the database stay in the request's thread).
    """
    profiles = list(profiles)
    found = cache.get_many([_listing_key(p) for p in profiles]) if profiles else {}
    missing = [p for p in profiles if _listing_key(p) not in found]
    if len(missing) == 1:
        fresh = [_list_everything(missing[0])]
    elif missing:
        with ThreadPoolExecutor(max_workers=min(LISTING_THREADS, len(missing))) as pool:
            fresh = list(pool.map(_list_everything, missing))
    else:
        fresh = []
    new = {_listing_key(p): listed for p, listed in zip(missing, fresh, strict=True)}
    if new:
        cache.set_many(new, CACHE_SECONDS)
    found.update(new)
    return [found[_listing_key(p)] for p in profiles]


def _list_everything(profile) -> Listing:
    region = profile.default_region
    result = Listing(profile.pk, region)
    try:
        client = profile.client(region)
    except DecryptionError as error:  # keys rotated away: this profile cannot list, others can
        result.errors.append(f"Nothing was asked of FC: {error} (DecryptionError).")
        return result

    def take(items) -> list[dict]:
        taken = list(islice(items, MAX_ITEMS))
        result.truncated |= len(taken) >= MAX_ITEMS
        return taken

    def note(error: FCError, where: str) -> None:
        words = f"{where}: {describe_error(error)}"
        if words not in result.errors:
            result.errors.append(words)

    try:
        names = [s["serviceName"] for s in take(client.list_services())]
    except FCError as error:
        note(error, "Listing the FC 2.0 services")
        names = []
    for service in names:
        try:
            listed = take(client.list_functions(service))
        except FCError as error:  # one service gone since the list: the others still count
            note(error, f"Listing the functions of service {service}")
            continue
        result.functions += [(service, f["functionName"]) for f in listed]
    try:
        listed = take(client.list_functions(fc_version="v3", region=region))
    except FCError as error:
        note(error, "Listing the FC 3.0 functions")
    else:
        result.functions += [("", f["functionName"]) for f in listed]
    return result
