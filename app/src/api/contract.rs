//! The API's input contract: every JSON request body is checked against the
//! OpenAPI document before a handler sees it.
//!
//! poem-openapi parses bodies leniently (a number where a string is declared
//! becomes that number's text; unknown fields are dropped) and its errors name
//! no field. So the document itself is the contract: [`Contract::check`] walks
//! the body along the operation's schema and refuses, naming the field by its
//! path (`scope.department[0]`),
//! - a value of another JSON type than declared (no coercion; `null` only where
//!   the document allows it),
//! - a property the schema does not declare (every object of the document is
//!   closed with `additionalProperties: false`, so the document says so too),
//! - a missing required property,
//! - an integer outside its format's or the schema's range,
//! - text with a character that is not printable text
//!   ([`zeugnis_core::values::is_text_char`]) — anywhere in the body, also
//!   inside free-form section content and in property names.
//!
//! The schema dialect is the small part of OpenAPI 3.0 that poem-openapi emits
//! (`type`, `properties`, `required`, `additionalProperties`, `items`, `$ref`,
//! `allOf`, `format`, `enum`, `minimum`, `maximum`, `nullable`); a JSON Schema
//! validator crate would not know OpenAPI 3.0's `nullable`, would not close
//! objects, and would report in its own words — this walker is the
//! document's reading in the API's own error shape.

use std::fmt::Write as _;

use poem::http::Method;
use serde_json::{Map, Value};

/// The part of the document that input is checked against.
#[derive(Debug, Clone)]
pub(crate) struct Contract {
    operations: Vec<Operation>,
    schemas: Map<String, Value>,
}

#[derive(Debug, Clone)]
struct Operation {
    method: Method,
    segments: Vec<Option<String>>,
    body: Option<Value>,
}

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    /// The path of the field at fault (`body` for the whole body).
    pub(crate) field: String,
    /// A stable code: `invalid_type`, `unknown_field`, `missing_field`,
    /// `out_of_range`, `invalid_value`, `unprintable_character`.
    pub(crate) code: &'static str,
    /// What is wrong, for people (never the value itself).
    pub(crate) message: String,
}

/// How deep bodies may nest (section content included).
const MAX_DEPTH: usize = 32;

/// Closes every object schema that declares properties and says nothing about
/// others: the API refuses unknown fields, and its document says so.
pub(crate) fn close_objects(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let is_object = map.get("type").and_then(Value::as_str) == Some("object");
            if is_object
                && map.contains_key("properties")
                && !map.contains_key("additionalProperties")
            {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (key, v) in map.iter_mut() {
                // Property names are not schemas, but their values are.
                if key == "properties" {
                    if let Value::Object(props) = v {
                        props.values_mut().for_each(close_objects);
                    }
                } else {
                    close_objects(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

impl Contract {
    /// Reads the operations and schemas of a document.
    pub(crate) fn new(document: &Value) -> Self {
        let schemas = document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut operations = Vec::new();
        if let Some(paths) = document.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, op) in item {
                    let Ok(method) = method.to_uppercase().parse::<Method>() else {
                        continue;
                    };
                    let body = op
                        .pointer("/requestBody/content")
                        .and_then(Value::as_object)
                        .and_then(|c| {
                            c.iter()
                                .find(|(t, _)| t.starts_with("application/json"))
                                .and_then(|(_, m)| m.get("schema"))
                        })
                        .cloned();
                    operations.push(Operation {
                        method,
                        segments: segments(path),
                        body,
                    });
                }
            }
        }
        Self {
            operations,
            schemas,
        }
    }

    /// The schema of the JSON body of the operation at `method` and `path`
    /// (relative to the API's prefix), if it takes one.
    pub(crate) fn body_schema(&self, method: &Method, path: &str) -> Option<&Value> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        // Literal segments win over parameters (`/users/{id}` vs `/users/me`).
        self.operations
            .iter()
            .filter(|op| op.method == *method && op.segments.len() == parts.len())
            .filter(|op| {
                op.segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| s.as_deref().is_none_or(|lit| lit == *p))
            })
            .max_by_key(|op| op.segments.iter().filter(|s| s.is_some()).count())
            .and_then(|op| op.body.as_ref())
    }

    /// Checks `value` against `schema`.
    ///
    /// # Errors
    /// The first [`Violation`] found.
    pub(crate) fn check(&self, schema: &Value, value: &Value) -> Result<(), Violation> {
        self.walk(schema, value, &mut String::new(), 0)
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        for _ in 0..MAX_DEPTH {
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                match r
                    .strip_prefix("#/components/schemas/")
                    .and_then(|name| self.schemas.get(name))
                {
                    Some(target) => s = target,
                    None => return &Value::Null,
                }
            } else if let Some([only]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
            {
                s = only;
            } else {
                break;
            }
        }
        s
    }

    fn walk(
        &self,
        schema: &Value,
        value: &Value,
        path: &mut String,
        depth: usize,
    ) -> Result<(), Violation> {
        if depth > MAX_DEPTH {
            return Err(violation(path, "invalid_value", "nests too deeply".into()));
        }
        let schema = self.resolve(schema);
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.walk(part, value, path, depth + 1)?;
            }
        }
        let Some(expected) = schema.get("type").and_then(Value::as_str) else {
            // A free-form value: any JSON, but its text must be printable.
            return printable(value, path, depth);
        };
        if value.is_null() {
            return if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
                Ok(())
            } else {
                Err(violation(
                    path,
                    "invalid_type",
                    format!("must be {}, not null", article(expected)),
                ))
            };
        }
        match (expected, value) {
            ("string", Value::String(s)) => {
                text(s, path)?;
                one_of(schema, value, path)
            }
            ("boolean", Value::Bool(_)) => Ok(()),
            ("integer", Value::Number(n)) if n.is_i64() || n.is_u64() => integer(schema, n, path),
            ("number", Value::Number(n)) => {
                let v = n.as_f64().unwrap_or(f64::NAN);
                let below = schema
                    .get("minimum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| v < m);
                let above = schema
                    .get("maximum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| v > m);
                if below || above {
                    Err(violation(path, "out_of_range", "is out of range".into()))
                } else {
                    Ok(())
                }
            }
            ("array", Value::Array(items)) => {
                let item_schema = schema.get("items").unwrap_or(&Value::Null);
                if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                    && items.len() as u64 > max
                {
                    return Err(violation(
                        path,
                        "out_of_range",
                        format!("takes at most {max} entries"),
                    ));
                }
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    let _ = write!(path, "[{i}]");
                    self.walk(item_schema, item, path, depth + 1)?;
                    path.truncate(len);
                }
                Ok(())
            }
            ("object", Value::Object(map)) => self.object(schema, map, path, depth),
            (expected, _) => Err(violation(
                path,
                "invalid_type",
                format!("must be {}, not {}", article(expected), kind(value)),
            )),
        }
    }

    fn object(
        &self,
        schema: &Value,
        map: &Map<String, Value>,
        path: &mut String,
        depth: usize,
    ) -> Result<(), Violation> {
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        for (key, v) in map {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            text(key, path)?;
            match (properties.and_then(|p| p.get(key)), additional) {
                (Some(s), _) => self.walk(s, v, path, depth + 1)?,
                (None, Some(Value::Bool(false))) | (None, None) if properties.is_some() => {
                    return Err(violation(
                        path,
                        "unknown_field",
                        "is not a field of this request; check its spelling".into(),
                    ));
                }
                (None, Some(Value::Bool(false))) => {
                    return Err(violation(
                        path,
                        "unknown_field",
                        "is not a field of this request; check its spelling".into(),
                    ));
                }
                (None, Some(s @ Value::Object(_))) => self.walk(s, v, path, depth + 1)?,
                (None, _) => printable(v, path, depth + 1)?,
            }
            path.truncate(len);
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(name);
                    let v = violation(path, "missing_field", "is required".into());
                    path.truncate(len);
                    return Err(v);
                }
            }
        }
        Ok(())
    }
}

fn segments(path: &str) -> Vec<Option<String>> {
    path.trim_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') || s.starts_with(':') {
                None
            } else {
                Some(s.to_owned())
            }
        })
        .collect()
}

fn violation(path: &str, code: &'static str, message: String) -> Violation {
    let field = if path.is_empty() { "body" } else { path };
    Violation {
        field: field.to_owned(),
        code,
        message: format!("{field} {message}"),
    }
}

fn text(s: &str, path: &str) -> Result<(), Violation> {
    match zeugnis_core::values::check_text("text", s) {
        Ok(()) => Ok(()),
        Err(zeugnis_core::values::ValueError::Unprintable {
            code_point,
            position,
            ..
        }) => Err(violation(
            path,
            "unprintable_character",
            format!(
                "contains a character that is not printable text (U+{code_point:04X} at character {position}); remove it"
            ),
        )),
        Err(e) => Err(violation(path, "invalid_value", e.to_string())),
    }
}

/// Free-form JSON: only its text is checked.
fn printable(value: &Value, path: &mut String, depth: usize) -> Result<(), Violation> {
    if depth > MAX_DEPTH {
        return Err(violation(path, "invalid_value", "nests too deeply".into()));
    }
    match value {
        Value::String(s) => text(s, path),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                printable(item, path, depth + 1)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, v) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                text(key, path)?;
                printable(v, path, depth + 1)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn one_of(schema: &Value, value: &Value, path: &str) -> Result<(), Violation> {
    match schema.get("enum").and_then(Value::as_array) {
        Some(allowed) if !allowed.contains(value) => {
            let names: Vec<String> = allowed.iter().map(Value::to_string).collect();
            Err(violation(
                path,
                "invalid_value",
                format!("must be one of {}", names.join(", ")),
            ))
        }
        _ => Ok(()),
    }
}

fn integer(schema: &Value, n: &serde_json::Number, path: &str) -> Result<(), Violation> {
    let (lo, hi): (i128, i128) = match schema.get("format").and_then(Value::as_str) {
        Some("uint8") => (0, i128::from(u8::MAX)),
        Some("uint16") => (0, i128::from(u16::MAX)),
        Some("uint32") => (0, i128::from(u32::MAX)),
        Some("uint64") => (0, i128::from(u64::MAX)),
        Some("int8") => (i128::from(i8::MIN), i128::from(i8::MAX)),
        Some("int16") => (i128::from(i16::MIN), i128::from(i16::MAX)),
        Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX)),
        _ => (i128::from(i64::MIN), i128::from(u64::MAX)),
    };
    // poem-openapi writes bounds as floats (`1.0`).
    let bound = |key: &str| {
        schema
            .get(key)
            .and_then(Value::as_f64)
            .filter(|b| b.is_finite())
    };
    #[expect(clippy::cast_possible_truncation, reason = "bounds are whole numbers")]
    let lo = bound("minimum").map_or(lo, |m| lo.max(m.ceil() as i128));
    #[expect(clippy::cast_possible_truncation, reason = "bounds are whole numbers")]
    let hi = bound("maximum").map_or(hi, |m| hi.min(m.floor() as i128));
    let v = n
        .as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
        .unwrap_or(i128::MAX);
    if v < lo || v > hi {
        Err(violation(
            path,
            "out_of_range",
            format!("must be between {lo} and {hi}"),
        ))
    } else {
        Ok(())
    }
}

fn article(expected: &str) -> &'static str {
    match expected {
        "string" => "a string",
        "boolean" => "true or false",
        "integer" => "a whole number",
        "number" => "a number",
        "array" => "a list",
        "object" => "an object",
        _ => "another type",
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Value {
        let mut d = json!({
            "paths": {
                "/users/{id}": {"patch": {"requestBody": {"content": {"application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/U"}}}}}},
                "/users": {"post": {"requestBody": {"content": {"application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/U"}}}}}},
            },
            "components": {"schemas": {
                "U": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"},
                    "age": {"type": "integer", "format": "uint16", "minimum": 1.0},
                    "scope": {"allOf": [{"$ref": "#/components/schemas/S"}]},
                    "sections": {"type": "object", "additionalProperties": {}},
                    "levels": {"type": "object", "additionalProperties": {"type": "string"}},
                }},
                "S": {"type": "object", "properties": {"department": {"type": "array", "items": {"type": "string"}}}},
            }},
        });
        close_objects(&mut d);
        d
    }

    fn check(body: Value) -> Result<(), Violation> {
        let c = Contract::new(&document());
        let schema = c
            .body_schema(&Method::PATCH, "/users/123")
            .cloned()
            .unwrap_or_default();
        c.check(&schema, &body)
    }

    fn field(body: Value) -> (String, &'static str) {
        let v = check(body).err().unwrap_or(Violation {
            field: "none".into(),
            code: "accepted",
            message: String::new(),
        });
        (v.field, v.code)
    }

    #[test]
    fn a_misspelled_nested_field_is_refused_by_its_path() {
        assert_eq!(
            field(json!({"name": "a", "scope": {"Department": ["Finanzen"]}})),
            ("scope.Department".into(), "unknown_field")
        );
        assert!(check(json!({"name": "a", "scope": {"department": ["Finanzen"]}})).is_ok());
    }

    #[test]
    fn other_json_types_are_not_coerced() {
        for wrong in [
            json!(123),
            json!(true),
            json!(1.5),
            json!(null),
            json!(["a"]),
        ] {
            assert_eq!(
                field(json!({ "name": wrong })),
                ("name".into(), "invalid_type")
            );
        }
        assert_eq!(
            field(json!({"name": "a", "scope": {"department": [1, true]}})),
            ("scope.department[0]".into(), "invalid_type")
        );
    }

    #[test]
    fn missing_unknown_and_out_of_range_fields_are_named() {
        assert_eq!(field(json!({})), ("name".into(), "missing_field"));
        assert_eq!(
            field(json!({"name": "a", "favourite_colour": "blau"})),
            ("favourite_colour".into(), "unknown_field")
        );
        assert_eq!(
            field(json!({"name": "a", "age": 0})),
            ("age".into(), "out_of_range")
        );
        assert_eq!(
            field(json!({"name": "a", "age": 65_536})),
            ("age".into(), "out_of_range")
        );
        assert_eq!(field(json!("text")), ("body".into(), "invalid_type"));
    }

    #[test]
    fn unprintable_characters_are_refused_anywhere_also_in_free_form_content() {
        for bad in [
            "a\u{0}b",
            "\u{7f}",
            "\u{1b}[31m",
            "\u{8}",
            "\u{fffe}",
            "\u{ffff}",
            "\u{e0080}",
        ] {
            assert_eq!(
                field(json!({ "name": bad })),
                ("name".into(), "unprintable_character"),
                "{bad:?}"
            );
        }
        assert_eq!(
            field(json!({"name": "a", "sections": {"result": {"x": ["ok", "b\u{0}"]}}})),
            ("sections.result.x[1]".into(), "unprintable_character")
        );
        assert_eq!(
            field(json!({"name": "a", "levels": {"k": 5}})),
            ("levels.k".into(), "invalid_type")
        );
        assert!(
            check(json!({"name": "Zeile 1\nZeile 2\r\nZeile 3\tÄß€ 😀", "levels": {"k": "v"}}))
                .is_ok()
        );
    }

    #[test]
    fn literal_path_segments_match_before_parameters() {
        let c = Contract::new(&document());
        assert!(c.body_schema(&Method::POST, "/users").is_some());
        assert!(c.body_schema(&Method::POST, "/users/1").is_none());
        assert!(c.body_schema(&Method::GET, "/users/1").is_none());
    }

    #[test]
    fn every_object_with_properties_is_closed_in_the_document() {
        let d = document();
        assert_eq!(
            d.pointer("/components/schemas/S/additionalProperties"),
            Some(&Value::Bool(false))
        );
        assert_eq!(
            d.pointer("/components/schemas/U/properties/levels/additionalProperties/type"),
            Some(&json!("string"))
        );
    }
}
