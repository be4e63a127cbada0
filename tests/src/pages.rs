//! The pages of the web application, requested as a browser without
//! JavaScript would: a cookie jar, forms posted as
//! `application/x-www-form-urlencoded`, redirects not followed (tests look at
//! them). [`PageClient::log_in`] fills the login form as a person would.

#![expect(
    clippy::expect_used,
    reason = "test helpers fail the test that calls them"
)]

use std::collections::BTreeMap;

use crate::TestApp;

/// A page as the server answered it.
#[derive(Debug, Clone)]
pub struct Page {
    /// The status.
    pub status: u16,
    /// Where a redirect leads.
    pub location: Option<String>,
    /// The headers (names in lower case; the last value of each).
    pub headers: BTreeMap<String, String>,
    /// Every `Set-Cookie` value.
    pub set_cookies: Vec<String>,
    /// The HTML.
    pub body: String,
}

impl Page {
    /// The value of the hidden or text input `name`, if the page has one.
    #[must_use]
    pub fn input(&self, name: &str) -> Option<String> {
        input_value(&self.body, name)
    }

    /// The header `name` (lower case).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// The `value` of the first `<input … name="name" …>` of `html`.
#[must_use]
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let rest = &tag[v..];
    Some(unescape(&rest[..rest.find('"')?]))
}

/// Undoes the HTML escaping of a template value.
#[must_use]
pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The text of `html` without tags, whitespace collapsed (what a reader sees).
#[must_use]
pub fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let at = tag.find(&marker)? + marker.len();
    let rest = &tag[at..];
    Some(unescape(&rest[..rest.find('"')?]))
}

fn has_flag(tag: &str, name: &str) -> bool {
    tag.split(|c: char| c.is_whitespace() || c == '>')
        .any(|w| w == name)
}

/// The fields a browser would send for the form whose `action` is `action`:
/// every named input with its value (radio buttons and boxes only when
/// ticked, no buttons), every text area, and the chosen option of every
/// select (the first one when none is marked).
///
/// # Panics
/// When the page has no such form.
#[must_use]
pub fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let marker = format!("action=\"{action}\"");
    let at = html.find(&marker).expect("the form");
    let start = html[..at].rfind("<form").expect("a form tag");
    let end = at + html[at..].find("</form>").expect("the end of the form");
    let form = &html[start..end];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let close = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..close];
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            if let Some(name) = attr(tag, "name") {
                let ticked = has_flag(tag, "checked");
                let send = match kind.as_str() {
                    "radio" | "checkbox" => ticked,
                    "submit" | "button" => false,
                    _ => true,
                };
                if send {
                    out.push((name, attr(tag, "value").unwrap_or_default()));
                }
            }
        } else if tag.starts_with("<textarea") {
            let name = attr(tag, "name").unwrap_or_default();
            let body = &rest[close + 1..];
            let text = &body[..body.find("</textarea>").unwrap_or(0)];
            out.push((name, unescape(text)));
        } else if tag.starts_with("<select") {
            let name = attr(tag, "name").unwrap_or_default();
            let body = &rest[close + 1..];
            let options = &body[..body.find("</select>").unwrap_or(0)];
            let mut first = None;
            let mut chosen = None;
            for option in options.split("<option").skip(1) {
                let value = attr(&format!(" {option}"), "value").unwrap_or_default();
                let head = &option[..option.find('>').unwrap_or(0)];
                if first.is_none() {
                    first = Some(value.clone());
                }
                if has_flag(head, "selected") {
                    chosen = Some(value);
                }
            }
            out.push((name, chosen.or(first).unwrap_or_default()));
        }
        rest = &rest[close.min(rest.len())..];
        if rest.len() <= 1 {
            break;
        }
        rest = &rest[1..];
    }
    out
}

/// A browser without JavaScript, with its own cookies.
#[derive(Debug, Clone)]
pub struct PageClient {
    http: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
    /// Sent as `Accept-Language` when set.
    pub accept_language: Option<String>,
}

impl PageClient {
    /// A client for `app`, with no cookies.
    ///
    /// # Panics
    /// When the HTTP client cannot be built.
    #[must_use]
    pub fn new(app: &TestApp) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            base: app.url(""),
            cookies: BTreeMap::new(),
            accept_language: None,
        }
    }

    /// The cookie `name`, if the server set one.
    #[must_use]
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// Sets a cookie as if the server had.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let mut req = req;
        if !self.cookies.is_empty() {
            req = req.header("cookie", self.cookie_header());
        }
        if let Some(lang) = &self.accept_language {
            req = req.header("accept-language", lang);
        }
        let r = req.send().await.expect("the server answers");
        let status = r.status().as_u16();
        let mut headers = BTreeMap::new();
        let mut set_cookies = Vec::new();
        for (name, value) in r.headers() {
            let value = value.to_str().unwrap_or_default().to_owned();
            if name.as_str() == "set-cookie" {
                set_cookies.push(value.clone());
            }
            headers.insert(name.as_str().to_owned(), value);
        }
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let location = headers.get("location").cloned();
        let body = r.text().await.unwrap_or_default();
        Page {
            status,
            location,
            headers,
            set_cookies,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// Posts a form to `path` from owned fields (as [`form_fields`] reads them).
    pub async fn post_fields(&mut self, path: &str, fields: &[(String, String)]) -> Page {
        let req = self.http.post(format!("{}{path}", self.base)).form(fields);
        self.send(req).await
    }

    /// Posts a form to `path`.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let req = self.http.post(format!("{}{path}", self.base)).form(fields);
        self.send(req).await
    }

    /// Follows a redirect (`GET` of its location).
    ///
    /// # Panics
    /// When `page` is no redirect.
    pub async fn follow(&mut self, page: &Page) -> Page {
        let to = page.location.clone().expect("a redirect");
        self.get(&to).await
    }

    /// Opens the login page at `login_path`, fills in the form and sends it;
    /// returns the answer to the form (a redirect when it worked).
    ///
    /// # Panics
    /// When the login page has no form.
    pub async fn log_in(&mut self, login_path: &str, email: &str, password: &str) -> Page {
        let form = self.get(login_path).await;
        assert_eq!(form.status, 200, "{login_path}: {}", form.body);
        let token = form.input("form_token").expect("the form has its token");
        let next = form.input("next").unwrap_or_else(|| "/".to_owned());
        let action = login_path
            .split('?')
            .next()
            .unwrap_or(login_path)
            .to_owned();
        self.post(
            &action,
            &[
                ("form_token", &token),
                ("next", &next),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }
}
