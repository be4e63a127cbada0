// The page behind a handover link: the recipient (no account) opens the link,
// enters a one-time code where one is asked for, reads the sections HR shared,
// edits the ones HR opened for writing, downloads the PDF where allowed, and
// finishes. The page itself holds no secret: the link's id and secret go to the
// API once (POST, never by a mere GET of this page), which answers with a
// session cookie bound to this handover (HttpOnly) and a CSRF token kept in
// memory only. Everything shown comes from the API, which leaves hidden
// sections out; content is set as text, never as HTML.
"use strict";

(function () {
  const API = "/api/v1";
  const $ = (id) => document.getElementById(id);
  const title = $("title");
  const intro = $("intro");
  const codeForm = $("code-form");
  const work = $("work");
  const sectionsBox = $("sections");
  const message = $("message");

  const CLOSED = {
    invalid_link: ["Link ungültig", "Dieser Link ist ungültig. Öffnen Sie ihn bitte direkt aus der E-Mail."],
    link_revoked: ["Link zurückgezogen", "Die Personalabteilung hat diesen Link zurückgezogen."],
    link_finished: ["Bearbeitung abgeschlossen", "Die Bearbeitung wurde bereits abgeschlossen. Vielen Dank."],
    link_expired: ["Link abgelaufen", "Dieser Link ist abgelaufen. Bitte wenden Sie sich an die Personalabteilung."],
    link_blocked: ["Link gesperrt", "Dieser Link wurde nach zu vielen falschen Codes gesperrt. Bitte wenden Sie sich an die Personalabteilung."],
    unauthenticated: ["Sitzung beendet", "Ihre Sitzung ist abgelaufen. Öffnen Sie den Link aus der E-Mail bitte erneut."],
  };

  const TEXT = ["company", "further", "result"];
  const LINES = ["career", "stations", "additional_tasks", "training", "powers", "qualifications", "achievements"];
  const CRITERIA = {
    willingness: "Bereitschaft",
    ability: "Befähigung",
    knowledge: "Wissen",
    further_training: "Weiterbildung",
    working_style: "Arbeitsweise",
    work_results: "Arbeitserfolg",
    leadership: "Führungserfolg",
    final_exam: "Ergebnis Abschlussprüfung",
    attributes: "Persönliche Eigenschaften",
  };
  const CONDUCT = {
    superiors: "gegenüber Vorgesetzten",
    colleagues: "gegenüber Kolleginnen und Kollegen",
    customers: "gegenüber Kundinnen und Kunden",
  };
  const GRADES = { 1: "1 – sehr gut", 2: "2 – gut", 3: "3 – befriedigend", 4: "4 – ausreichend", 5: "5 – mangelhaft" };

  const m = window.location.pathname.match(/^\/t\/([a-z0-9-]+)\/h\/([0-9A-Fa-f-]{16,40})\/([0-9a-f]{16,128})$/);
  let csrf = null;
  let challenge = null;
  let editors = {};
  let shown = {};

  function show(text, ok, details) {
    message.textContent = "";
    if (!text) return;
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

  function closed(code) {
    const [heading, text] = CLOSED[code] || ["Nicht verfügbar", "Dieser Link kann nicht geöffnet werden."];
    title.textContent = heading;
    intro.textContent = text;
    codeForm.hidden = true;
    work.hidden = true;
    show("");
  }

  async function call(method, path, body) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrf) headers["X-CSRF-Token"] = csrf;
    const response = await fetch(API + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const json = await response.json().catch(() => ({}));
    return { status: response.status, json: json };
  }

  function failed(r) {
    if (r.status === 404 || r.status === 410 || r.status === 401) {
      closed(r.json.code || "invalid_link");
      return;
    }
    show(r.json.message || "Das hat nicht geklappt.", false, r.json.details);
  }

  function element(tag, text, className) {
    const el = document.createElement(tag);
    if (text !== undefined && text !== null) el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  function gradeSelect(value) {
    const select = document.createElement("select");
    select.appendChild(new Option("– nicht bewertet –", ""));
    for (const [g, label] of Object.entries(GRADES)) {
      select.appendChild(new Option(label, g));
    }
    select.value = value ? String(value) : "";
    return select;
  }

  function grades(labels, values, box) {
    const dl = element("dl");
    for (const [key, label] of Object.entries(labels)) {
      if (!values || values[key] === undefined) continue;
      dl.appendChild(element("dt", label));
      dl.appendChild(element("dd", GRADES[values[key]] || String(values[key])));
    }
    box.appendChild(dl);
  }

  function readOnly(key, content, box) {
    if (content === null || content === undefined || content === "") {
      box.appendChild(element("p", "(noch leer)", "hint"));
    } else if (typeof content === "string") {
      box.appendChild(element("div", content, "text"));
    } else if (Array.isArray(content)) {
      const ul = element("ul");
      for (const line of content) {
        ul.appendChild(element("li", typeof line === "string" ? line : [line.name, line.position].filter(Boolean).join(", ")));
      }
      box.appendChild(ul);
    } else if (key === "performance") {
      grades(CRITERIA, content.ratings, box);
    } else if (key === "conduct") {
      grades(CONDUCT, content, box);
    } else if (key === "tasks") {
      if (content.position) box.appendChild(element("p", content.position));
      readOnly("lines", content.items || [], box);
    } else {
      const dl = element("dl");
      for (const [k, v] of Object.entries(content)) {
        dl.appendChild(element("dt", k));
        dl.appendChild(element("dd", typeof v === "object" ? JSON.stringify(v) : String(v)));
      }
      box.appendChild(dl);
    }
  }

  // An editor: the element(s) and how to read the value back.
  function editor(key, content, box) {
    if (TEXT.includes(key)) {
      const area = element("textarea");
      area.name = key;
      area.value = content || "";
      box.appendChild(area);
      return () => area.value;
    }
    if (LINES.includes(key) || key === "tasks") {
      const lines = key === "tasks" ? (content && content.items) || [] : content || [];
      const area = element("textarea");
      area.name = key;
      area.value = lines.join("\n");
      box.appendChild(element("p", "Ein Eintrag je Zeile.", "hint"));
      box.appendChild(area);
      const items = () => area.value.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
      if (key === "tasks") {
        return () => Object.assign({}, content || {}, { items: items() });
      }
      return items;
    }
    if (key === "performance" || key === "conduct") {
      const labels = key === "performance" ? CRITERIA : CONDUCT;
      const values = key === "performance" ? (content && content.ratings) || {} : content || {};
      const selects = {};
      for (const [k, label] of Object.entries(labels)) {
        const row = element("label", label);
        const select = gradeSelect(values[k]);
        select.name = key + "." + k;
        row.appendChild(select);
        box.appendChild(row);
        selects[k] = select;
      }
      return () => {
        const out = {};
        for (const [k, select] of Object.entries(selects)) {
          if (select.value) out[k] = Number(select.value);
        }
        return key === "performance" ? { ratings: out } : out;
      };
    }
    readOnly(key, content, box);
    box.appendChild(element("p", "Dieser Abschnitt lässt sich hier nicht bearbeiten.", "hint"));
    return null;
  }

  function render(view) {
    title.textContent = "Arbeitszeugnis";
    intro.textContent = "Bitte prüfen Sie die Abschnitte und ergänzen Sie die freigegebenen Felder.";
    codeForm.hidden = true;
    work.hidden = false;
    const until = new Date(view.expires_at);
    $("expiry").textContent = "Der Link gilt bis " + until.toLocaleString("de-DE") + ".";
    $("download").hidden = !view.download;
    sectionsBox.textContent = "";
    editors = {};
    shown = {};
    for (const s of view.sections) {
      const box = element("section", undefined, "part");
      box.dataset.key = s.key;
      box.appendChild(element("h2", s.label + (s.writable ? "" : " (nur lesen)")));
      shown[s.key] = JSON.stringify(s.content);
      if (s.writable) {
        const read = editor(s.key, s.content, box);
        if (read) editors[s.key] = read;
      } else {
        readOnly(s.key, s.content, box);
      }
      sectionsBox.appendChild(box);
    }
    $("save").hidden = Object.keys(editors).length === 0;
  }

  async function open() {
    const r = await call("POST", "/links/" + m[1] + "/" + m[2] + "/" + m[3], {});
    if (r.status === 200) {
      csrf = r.json.csrf_token;
      render(r.json.handover);
    } else if (r.status === 202) {
      challenge = r.json.challenge;
      title.textContent = "Bestätigungscode";
      intro.textContent =
        r.json.channel === "sms"
          ? "Wir haben Ihnen einen Code per SMS geschickt. Bitte geben Sie ihn ein."
          : "Wir haben Ihnen einen Code per E-Mail geschickt. Bitte geben Sie ihn ein.";
      codeForm.hidden = false;
    } else {
      failed(r);
    }
  }

  codeForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    const code = new FormData(codeForm).get("code").trim();
    const r = await call("POST", "/links/" + m[1] + "/" + m[2] + "/" + m[3] + "/code", {
      challenge: challenge,
      code: code,
    });
    if (r.status === 200) {
      csrf = r.json.csrf_token;
      show("");
      render(r.json.handover);
    } else if (r.status === 422) {
      show("Der Code stimmt nicht oder ist abgelaufen.", false);
    } else {
      failed(r);
    }
  });

  $("save").addEventListener("click", async function () {
    const sections = {};
    for (const [key, read] of Object.entries(editors)) {
      const value = read();
      if (JSON.stringify(value) !== shown[key]) sections[key] = value;
    }
    if (Object.keys(sections).length === 0) {
      show("Keine Änderungen.", true);
      return;
    }
    const r = await call("PUT", "/handover/sections", { sections: sections });
    if (r.status === 200) {
      render(r.json);
      show("Gespeichert.", true);
    } else {
      failed(r);
    }
  });

  $("finish").addEventListener("click", async function () {
    const r = await call("POST", "/handover/finish", {});
    if (r.status === 204) {
      title.textContent = "Vielen Dank";
      intro.textContent = "Die Bearbeitung ist abgeschlossen; die Personalabteilung sieht das in ihrer Übersicht. Der Link ist nun nicht mehr gültig.";
      work.hidden = true;
      show("");
    } else {
      failed(r);
    }
  });

  if (!m) {
    closed("invalid_link");
    return;
  }
  open().catch(() => show("Der Server ist nicht erreichbar. Bitte versuchen Sie es später erneut.", false));
})();
