"""A stand-in for Plaid Link, served by the sandbox with Link's JavaScript contract.

The portal loads `<sandbox>/link/v2/stable/link-initialize.js` exactly where production loads
`https://cdn.plaid.com/link/v2/stable/link-initialize.js`; it defines
`Plaid.create({token, onSuccess, onExit}).open()`. `open()` shows the stand-in page in an
iframe (institution picker → sign in → success, or exit with an error); the page asks the
sandbox to finish (`POST /link/standin/complete`) and posts the outcome back to the portal,
which receives `onSuccess(public_token, metadata)` or `onExit(error, metadata)` as with Plaid.

A Link token created with `access_token` opens **update mode**: success repairs that item's
login (no LOGIN_REPAIRED webhook: Plaid sends that only when a login is repaired outside your
update flow) and still returns a public token, which the app need not exchange.
"""

from __future__ import annotations

import html
import json
import time
import uuid
from typing import Any

from . import errors
from .state import INSTITUTION_ID, INSTITUTION_NAME

SCRIPT_PATH = "/link/v2/stable/link-initialize.js"
PAGE_PATH = "/link/standin"
COMPLETE_PATH = "/link/standin/complete"

SCRIPT = """// Plaid Link stand-in (Oodaloo's Plaid sandbox): the same contract as Plaid's script.
(function () {
  "use strict";
  var origin = new URL(document.currentScript.src).origin;
  function create(config) {
    var frame = null;
    function close() {
      window.removeEventListener("message", onMessage);
      if (frame) { frame.remove(); frame = null; }
    }
    function onMessage(event) {
      if (!frame || event.origin !== origin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.plaid_standin !== 1) return;
      close();
      if (data.event === "success" && config.onSuccess) {
        config.onSuccess(data.public_token, data.metadata);
      } else if (data.event === "exit" && config.onExit) {
        config.onExit(data.error || null, data.metadata || {});
      }
    }
    return {
      open: function () {
        if (frame) return;
        frame = document.createElement("iframe");
        frame.src = origin + "PAGE_PATH?token=" + encodeURIComponent(config.token);
        frame.title = "Plaid Link";
        frame.setAttribute("data-plaid-link", "standin");
        frame.style.cssText = "position:fixed;inset:0;width:100%;height:100%;border:0;" +
          "z-index:2147483647;background:rgba(0,0,0,.45)";
        window.addEventListener("message", onMessage);
        document.body.appendChild(frame);
      },
      exit: function () {
        close();
        if (config.onExit) config.onExit(null, {status: null});
      },
      destroy: close
    };
  }
  window.Plaid = {create: create, version: "sandbox-standin"};
})();
""".replace("PAGE_PATH", PAGE_PATH)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plaid Link (sandbox)</title>
<style>
 body{{font-family:system-ui,sans-serif;margin:0;display:flex;align-items:center;
   justify-content:center;min-height:100vh}}
 .panel{{background:#fff;border-radius:12px;padding:28px;width:360px;
   box-shadow:0 10px 40px rgba(0,0,0,.3)}}
 h1{{font-size:20px;margin:0 0 6px}} p{{color:#555;font-size:14px}}
 button{{display:block;width:100%;margin:8px 0;padding:12px;border-radius:8px;font-size:15px;
   border:1px solid #ccc;background:#f7f7f7;cursor:pointer}}
 button.primary{{background:#111;color:#fff;border-color:#111}}
 .hidden{{display:none}} .note{{font-size:12px;color:#888}}
</style></head>
<body><div class="panel" data-mode="{mode}">
 <div id="pick" class="{pick_class}">
  <h1>Select your bank</h1>
  <p>Oodaloo uses Plaid to connect your accounts.</p>
  <button type="button" data-testid="standin-institution" data-institution="{institution_id}">
   {institution_name}</button>
  <button type="button" data-testid="standin-close" data-close="1">Close</button>
 </div>
 <div id="signin" class="{signin_class}">
  <h1>{signin_title}</h1>
  <p>Sandbox credentials are accepted as they are.</p>
  <button type="button" class="primary" data-testid="standin-continue">Continue</button>
  <button type="button" data-testid="standin-error">Fail: wrong credentials
   (exit with an error)</button>
  <button type="button" data-testid="standin-close" data-close="1">Close</button>
 </div>
 <p class="note">Plaid Link stand-in served by the local Plaid sandbox.</p>
</div>
<script>
(function () {{
  var token = {token_json};
  var institution = {{name: {institution_name_json}, institution_id: {institution_id_json}}};
  var parentOrigin = (location.ancestorOrigins && location.ancestorOrigins[0]) || "*";
  function post(message) {{
    message.plaid_standin = 1;
    window.parent.postMessage(message, parentOrigin);
  }}
  function finish(outcome) {{
    fetch("{complete}", {{method: "POST", headers: {{"Content-Type": "application/json"}},
      body: JSON.stringify({{link_token: token, outcome: outcome,
                             institution_id: institution.institution_id}})}})
      .then(function (r) {{ return r.json(); }})
      .then(function (body) {{
        if (body.public_token) {{
          post({{event: "success", public_token: body.public_token, metadata: body.metadata}});
        }} else {{
          post({{event: "exit", error: body.error || null, metadata: body.metadata || {{}}}});
        }}
      }});
  }}
  document.querySelector("[data-testid=standin-institution]").addEventListener("click",
    function () {{
      document.getElementById("pick").className = "hidden";
      document.getElementById("signin").className = "";
    }});
  document.querySelector("[data-testid=standin-continue]").addEventListener("click",
    function () {{ finish("success"); }});
  document.querySelector("[data-testid=standin-error]").addEventListener("click",
    function () {{ finish("error"); }});
  document.querySelectorAll("[data-close]").forEach(function (b) {{
    b.addEventListener("click", function () {{
      post({{event: "exit", error: null, metadata: {{status: null, institution: null}}}});
    }});
  }});
}})();
</script></body></html>
"""

INVALID_CREDENTIALS = {
    "error_type": "ITEM_ERROR",
    "error_code": "INVALID_CREDENTIALS",
    "error_message": "the credentials were not correct",
    "display_message": "The credentials you provided were incorrect. Check that your "
    "credentials are the same that you use for this institution",
}


def link_grant(state: Any, token: str) -> dict[str, Any] | None:
    """The Link token's record (webhook, user, access_token for update mode), if still valid."""
    grant = state.link_tokens.get(token)
    return grant if grant and grant["expires_at"] > time.time() else None


def link_finish(state: Any, grant: dict[str, Any]) -> str:
    """A public token for the session; update mode repairs the item's login first."""
    if grant.get("access_token"):
        item = state._item({"access_token": grant["access_token"]}, allow_error=True)
        item.error, item.consent_expiration_time = None, None
    public = f"public-sandbox-{uuid.uuid4()}"
    with state.lock:
        state.public_tokens[public] = {"webhook": grant.get("webhook")}
    return public


def link_page(state: Any, token: str) -> tuple[int, str]:
    """The stand-in page for one Link token (400 page for an unknown or expired one)."""
    grant = link_grant(state, token)
    if grant is None:
        return 400, "<!doctype html><p>This Link token is not valid or has expired.</p>"
    update = bool(grant.get("access_token"))
    name = INSTITUTION_NAME
    return 200, PAGE.format(
        mode="update" if update else "new",
        pick_class="hidden" if update else "",
        signin_class="" if update else "hidden",
        signin_title=html.escape(
            f"Sign in again to {name}" if update else f"Sign in to {name}"
        ),
        institution_id=html.escape(INSTITUTION_ID),
        institution_name=html.escape(name),
        token_json=json.dumps(token),
        institution_name_json=json.dumps(name),
        institution_id_json=json.dumps(INSTITUTION_ID),
        complete=COMPLETE_PATH,
    )


def link_complete(state: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Finish a Link session: a public token (new or update mode) or an error to exit with."""
    token = str(body.get("link_token") or "")
    grant = link_grant(state, token)
    if grant is None:
        raise errors.invalid_input("INVALID_LINK_TOKEN", "link token is invalid or expired")
    session = f"standin-{uuid.uuid4()}"
    institution = {"name": INSTITUTION_NAME, "institution_id": INSTITUTION_ID}
    if body.get("outcome") != "success":
        return {"error": INVALID_CREDENTIALS, "metadata": {
            "status": "requires_credentials", "institution": institution,
            "link_session_id": session, "request_id": uuid.uuid4().hex,
        }}
    public_token = link_finish(state, grant)
    accounts = [
        {"id": a["account_id"], "name": a.get("name"), "mask": a.get("mask"),
         "type": a.get("type"), "subtype": a.get("subtype")}
        for a in state.bank.accounts.values()
    ]
    return {"public_token": public_token, "metadata": {
        "institution": institution, "accounts": accounts, "link_session_id": session,
    }}



