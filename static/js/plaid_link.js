// Plaid Link in the portal (no inline scripts). A button marked data-plaid-link asks our server
// for a Link token (update mode when it names an item), opens Link with
// Plaid.create({token, onSuccess, onExit}).open(), and on success posts the public token to our
// server as a normal form (CSRF token included), which exchanges it (or records the repair) and
// redirects back to the page with the outcome. Exiting with an error changes nothing on our side.
(function () {
  "use strict";
  function csrfToken(box) {
    var input = box.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function say(box, text) {
    var message = box.querySelector("[data-plaid-link-message]");
    message.textContent = text;
    message.hidden = false;
  }
  function postForm(url, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name] == null ? "" : String(fields[name]);
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }
  function open(button, box) {
    var body = new URLSearchParams();
    if (button.dataset.item) body.set("item", button.dataset.item);
    return fetch(button.dataset.tokenUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(box)}
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (answer) {
      if (!answer.ok) throw new Error(answer.data.error || "Plaid Link could not start.");
      window.Plaid.create({
        token: answer.data.link_token,
        onSuccess: function (publicToken, metadata) {
          var institution = (metadata && metadata.institution) || {};
          postForm(button.dataset.doneUrl, {
            csrfmiddlewaretoken: csrfToken(box), public_token: publicToken,
            institution_name: institution.name || "", institution_id: institution.institution_id || ""
          });
        },
        onExit: function (error) {
          button.disabled = false;
          if (error) {
            say(box, "Your bank was not connected: " +
              (error.display_message || error.error_message || error.error_code) +
              " Nothing was changed; you can try again.");
          }
        }
      }).open();
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-plaid-link]");
    if (!button) return;
    event.preventDefault();
    var box = button.closest("[data-plaid-link-box]");
    if (!window.Plaid) {
      say(box, "Plaid Link did not load. Check your connection and reload the page.");
      return;
    }
    button.disabled = true;
    open(button, box).catch(function (error) {
      button.disabled = false;
      say(box, error.message);
    });
  });
})();
