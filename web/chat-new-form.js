// The web client's "+ New" form: a direct conversation (a username) or a group (a name and
// members), checked as the server checks them. app.js sends the frame: window.ChatNewForm.
"use strict";

window.ChatNewForm = function (ui, options) {
  // options: me() -> our username; create(frame) -> false when it could not be sent.
  const core = window.ChatCore;
  const groupKind = () => ui.newForm.elements.kind.value === "group";

  function show(open) {
    ui.newForm.hidden = !open;
    ui.newToggle.setAttribute("aria-expanded", String(open));
    ui.newError.textContent = "";
    if (open) (groupKind() ? ui.newName : ui.newUser).focus();
    else ui.newToggle.focus();
  }

  ui.newToggle.addEventListener("click", () => show(ui.newForm.hidden));
  ui.newCancel.addEventListener("click", () => show(false));
  ui.newForm.addEventListener("keydown", (event) => {
    if (event.key === "Escape") show(false);
  });
  for (const radio of ui.newForm.elements.kind) {
    radio.addEventListener("change", () => {
      ui.directFields.hidden = groupKind();
      ui.groupFields.hidden = !groupKind();
      ui.newError.textContent = "";
    });
  }

  ui.newForm.addEventListener("submit", (event) => {
    event.preventDefault();
    let frame;
    if (groupKind()) {
      const g = core.groupProblem(ui.newName.value, ui.newMembers.value, options.me());
      if (g.error) {
        ui.newError.textContent = g.error;
        return;
      }
      frame = { action: "createConversation", kind: "group", name: g.name, members: g.members };
    } else {
      const who = ui.newUser.value.trim();
      const problem = who === options.me() ? "That is you: name someone else." :
        core.usernameProblem(who);
      if (problem) {
        ui.newError.textContent = problem;
        return;
      }
      frame = { action: "createConversation", kind: "direct", members: [who] };
    }
    ui.newError.textContent = options.create(frame) ? "" :
      "Not connected: try again once connected.";
  });

  return {
    // The server's refusal (e.g. too many members), shown under the form.
    refused(text) {
      ui.newError.textContent = text;
    },
    // Made: the form closes, empty, for the next time.
    done() {
      ui.newForm.reset();
      ui.directFields.hidden = false;
      ui.groupFields.hidden = true;
      ui.newForm.hidden = true;
      ui.newToggle.setAttribute("aria-expanded", "false");
    },
  };
};
