// The pages behind the links zeugnis mails (registration, password reset) and
// the first-start setup. The token is in the URL fragment, which browsers never
// send to a server; it goes to the API in the request body only. Every text
// comes from the page (the server's catalogues), none from this script.
"use strict";

(function () {
  const path = window.location.pathname;
  const token = window.location.hash.replace(/^#/, "");
  const form = document.getElementById("form");
  const message = document.getElementById("message");
  const mode = form.dataset.mode;
  const m = path.match(/^\/t\/([a-z0-9-]+)\/(welcome|reset)$/);
  const tenant = m ? m[1] : null;
  // The language switch keeps the token, which lives in the fragment.
  const switcher = document.querySelector("a.lang-switch");
  if (switcher && token) {
    switcher.href = switcher.getAttribute("href") + "#" + token;
  }
  if (!/^[0-9a-f]{64}$/.test(token)) {
    document.getElementById("intro").hidden = true;
    document.getElementById("invalid").hidden = false;
    return;
  }
  form.hidden = false;

  function show(text, ok, details) {
    message.textContent = "";
    const box = document.createElement("div");
    box.className = ok ? "flash flash-success" : "flash flash-error";
    const p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    if (details && details.length) {
      const ul = document.createElement("ul");
      ul.className = "plain";
      for (const d of details) {
        const li = document.createElement("li");
        li.textContent = d;
        ul.appendChild(li);
      }
      box.appendChild(ul);
    }
    message.appendChild(box);
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const data = new FormData(form);
    if (data.get("password") !== data.get("repeat")) {
      show(form.dataset.mismatch, false);
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
        headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
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
        show(form.dataset.saved, true);
        const next = document.createElement("a");
        next.className = "button-primary";
        next.href = "/t/" + encodeURIComponent(tenant) + "/login";
        next.textContent = form.dataset.toLogin;
        message.appendChild(next);
      } else {
        const error = await response.json().catch(() => ({}));
        show(error.message || form.dataset.failed, false, error.details);
      }
    } catch (e) {
      show(form.dataset.unreachable, false);
    }
  });
})();
