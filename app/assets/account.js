// The pages behind the links zeugnis mails (registration, password reset) and
// the first-start setup. The token is in the URL fragment, which browsers never
// send to a server; it goes to the API in the request body only.
"use strict";

(function () {
  const path = window.location.pathname;
  const token = window.location.hash.replace(/^#/, "");
  const form = document.getElementById("form");
  const message = document.getElementById("message");
  const title = document.getElementById("title");
  const intro = document.getElementById("intro");
  let mode;
  let tenant = null;
  const m = path.match(/^\/t\/([a-z0-9-]+)\/(welcome|reset)$/);
  if (path === "/setup") {
    mode = "setup";
  } else if (m) {
    tenant = m[1];
    mode = m[2];
  }
  const texts = {
    setup: ["Einrichtung", "Legen Sie Ihre Organisation und das erste Administrator-Konto an."],
    welcome: ["Willkommen", "Legen Sie Ihr Passwort fest, um Ihr Konto zu aktivieren."],
    reset: ["Neues Passwort", "Legen Sie ein neues Passwort fest."],
  };
  if (!mode || !/^[0-9a-f]{64}$/.test(token)) {
    title.textContent = "Link ungültig";
    intro.textContent = "Dieser Link ist unvollständig. Öffnen Sie ihn bitte direkt aus der E-Mail.";
    return;
  }
  title.textContent = texts[mode][0];
  intro.textContent = texts[mode][1];
  for (const el of document.querySelectorAll("[data-mode]")) {
    el.hidden = el.dataset.mode !== mode;
  }
  form.hidden = false;

  function show(text, ok, details) {
    message.textContent = "";
    const p = document.createElement("p");
    p.className = ok ? "ok" : "error";
    p.textContent = text;
    message.appendChild(p);
    if (details && details.length) {
      const ul = document.createElement("ul");
      for (const d of details) {
        const li = document.createElement("li");
        li.textContent = d;
        ul.appendChild(li);
      }
      message.appendChild(ul);
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const data = new FormData(form);
    if (data.get("password") !== data.get("repeat")) {
      show("Die beiden Passwörter stimmen nicht überein.", false);
      return;
    }
    let url;
    let body;
    if (mode === "setup") {
      url = "/api/v1/setup";
      body = {
        token: token,
        organisation: data.get("organisation"),
        slug: data.get("slug"),
        first_name: data.get("first_name"),
        last_name: data.get("last_name"),
        email: data.get("email"),
        password: data.get("password"),
      };
    } else {
      url = mode === "welcome" ? "/api/v1/invitations/accept" : "/api/v1/password/reset";
      body = { tenant: tenant, token: token, password: data.get("password") };
    }
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      if (response.ok && mode === "setup") {
        // The new Administrator is logged in at once and lands on the overview.
        const created = await response.json();
        const login = await fetch("/api/v1/login", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ tenant: created.tenant, email: body.email, password: body.password }),
          credentials: "same-origin",
        });
        window.location.assign(login.ok ? "/" : "/t/" + encodeURIComponent(created.tenant) + "/login");
      } else if (response.ok) {
        form.hidden = true;
        show("Gespeichert. Sie können sich jetzt anmelden.", true);
        const next = document.createElement("a");
        next.href = "/t/" + encodeURIComponent(tenant) + "/login";
        next.textContent = "Zur Anmeldung";
        document.getElementById("message").appendChild(next);
      } else {
        const error = await response.json().catch(() => ({ message: response.statusText }));
        show(error.message || "Das hat nicht geklappt.", false, error.details);
      }
    } catch (e) {
      show("Der Server ist nicht erreichbar. Bitte versuchen Sie es später erneut.", false);
    }
  });
})();
