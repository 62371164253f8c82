"""A value kept in the browser's own storage (IndexedDB), on the learner's device: it outlives a reload, a new
tab of the same browser and a restart of the server, and no other browser or device ever sees it.

The server keeps nothing beyond the session. The conversation with the browser, in one small component:
1. the first run of a session asks the browser what it kept under the value's name; the browser answers once
   (a trigger value: sent once, never resent with every later rerun as a state value would be);
2. from then on the value's text goes to the browser only when its digest changes, and stays in the session
   until the browser says it has written it (or could not): an unchanged value costs a few bytes per rerun.
Mount it inside an `st.fragment` of its own: the browser's answers then rerun that fragment alone.

IndexedDB rather than localStorage: a set of 10,000 drawings is 2.2 to 2.5 million base64 characters, half of
the 5.24 million that Chromium's localStorage holds per origin (and other browsers count it their own way);
IndexedDB's quota is a share of the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import streamlit as st

COMPONENT = "chapter3_browser_storage"
DATABASE, STORE = "chapter3-playground", "kept"

# One IndexedDB request per call, every outcome answered (no indexedDB at all rejects too): the page waits
# for the first answer.
JS = (
    f'const DATABASE = "{DATABASE}", STORE = "{STORE}";\n'
    + """
function inStore(mode, act) {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onerror = () => reject(opening.error);
    opening.onblocked = () => reject(new DOMException("blocked", "UnknownError"));
    opening.onsuccess = () => {
      const database = opening.result;
      try {
        const transaction = database.transaction(STORE, mode);
        const request = act(transaction.objectStore(STORE));
        transaction.oncomplete = () => { database.close(); resolve(request.result); };
        transaction.onabort = () => { database.close(); reject(transaction.error ?? request.error); };
      } catch (error) {
        database.close();
        reject(error);
      }
    };
  });
}

function problem(error) {
  return error?.name === "QuotaExceededError" ? "full" : "unavailable";
}

export default function ({ data, setTriggerValue }) {
  const { name, read, limit, write, digest } = data;
  if (read) {
    // Anything but text is the server's to refuse; text longer than the limit is cut one past it.
    inStore("readonly", (store) => store.get(name)).then(
      (value) => setTriggerValue("loaded", {
        value: value === undefined ? null
          : typeof value === "string" ? value.slice(0, limit + 1)
          : { type: Object.prototype.toString.call(value) },
      }),
      (error) => setTriggerValue("loaded", { error: problem(error) }),
    );
  } else if (digest !== undefined) {
    inStore("readwrite", (store) => (write === null ? store.delete(name) : store.put(write, name))).then(
      () => setTriggerValue("written", { digest }),
      (error) => setTriggerValue("written", { digest, error: problem(error) }),
    );
  }
}
"""
)

_component = st.components.v2.component(COMPONENT, js=JS)


@dataclass
class BrowserCopy:
    """What this session knows of the browser's copy of one value."""

    read: bool = False
    """The browser has answered what it kept."""
    held: str | None = None
    """The digest of the value the browser holds, as far as this session knows."""
    failed: str | None = None
    """The digest of a value the browser could not write: not sent again."""
    problem: str | None = None
    """None, or why the browser keeps nothing: 'unavailable' (no storage here) or 'full'."""
    outgoing: tuple[str, str | None] | None = None
    """(digest, text) sent to the browser and not yet written: encoded once per change."""
    restored: bool = False
    """The first answer has just been taken in: the whole page has yet to show it."""


def browser_copy(name: str) -> BrowserCopy:
    """This session's knowledge of the browser's copy of the value `name`."""
    return st.session_state.setdefault(f"{name}_browser_copy", BrowserCopy())


def _reply(name: str, event: str) -> object:
    """The browser's answer `event` ('loaded', 'written') in this run; None if it sent none."""
    return (st.session_state.get(f"{name}_storage") or {}).get(event)


def _loaded(name: str, restore: Callable[[object], str]) -> None:
    """Take in the browser's first answer: what it kept under `name` (a repeated answer is ignored)."""
    copy, reply = browser_copy(name), _reply(name, "loaded")
    if copy.read or not isinstance(reply, dict):
        return
    copy.read = copy.restored = True
    if reply.get("error"):
        copy.problem = "unavailable"
        return
    copy.held = restore(reply.get("value"))


def _written(name: str) -> None:
    """The browser has written (or could not write) the value with this digest."""
    copy, reply = browser_copy(name), _reply(name, "written")
    if not isinstance(reply, dict) or not isinstance(digest := reply.get("digest"), str):
        return
    if copy.outgoing and copy.outgoing[0] == digest:
        copy.outgoing = None
    error = reply.get("error")
    if error:
        copy.failed, copy.problem = digest, "full" if error == "full" else "unavailable"
    else:
        copy.held, copy.failed, copy.problem = digest, None, None


def keep_in_browser(
    name: str, digest: str, text: Callable[[], str | None], restore: Callable[[object], str], limit: int
) -> BrowserCopy:
    """Keep a value in this browser under `name`: read once per session, written when its digest changes.

    `text()` is the value as text (None deletes it), called once per change. `restore(kept)` takes the
    browser's first answer, the kept text (None: nothing kept; anything else is untrusted), and returns the
    digest of what the browser holds then; the whole page then reruns to show it. Texts longer than `limit`
    arrive cut one past it. Call it inside an `st.fragment`. Returns what the session knows of the copy.
    """
    copy = browser_copy(name)
    if not copy.read:
        data: dict[str, object] = {"name": name, "read": True, "limit": limit}
    elif copy.problem == "unavailable" or digest in (copy.held, copy.failed):
        data = {"name": name}
    else:
        if copy.outgoing is None or copy.outgoing[0] != digest:
            copy.outgoing = (digest, text())
        data = {"name": name, "digest": digest, "write": copy.outgoing[1]}
    _component(
        key=f"{name}_storage",
        data=data,
        height=0,
        on_loaded_change=partial(_loaded, name, restore),
        on_written_change=partial(_written, name),
    )
    if copy.restored:
        copy.restored = False
        st.rerun(scope="app")
    return copy
