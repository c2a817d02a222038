//! docs/DESIGN.md states the mapping table for people; the code states it
//! in `kind.rs`. This test reads the document's table and compares every
//! row with the code's, so the two cannot drift.
#![allow(clippy::unwrap_used)]

use wirefault::{CloseCodes, Kind, TABLE};

/// The first run of ASCII digits in `cell`, as a number.
fn first_number(cell: &str) -> Option<u16> {
    let start = cell.find(|c: char| c.is_ascii_digit())?;
    let digits: String = cell[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The `quoted` names in `cell`.
fn quoted(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The rows of the table whose header starts with `| Kind | HTTP |`.
fn design_rows(doc: &str) -> Vec<Vec<String>> {
    let mut lines = doc
        .lines()
        .skip_while(|line| !line.starts_with("| Kind | HTTP |"));
    assert!(lines.next().is_some(), "DESIGN.md has no mapping table");
    lines
        .skip(1) // |---|
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            line.trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn design_table_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/DESIGN.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let rows = design_rows(&doc);
    assert_eq!(rows.len(), TABLE.len(), "one DESIGN.md row per kind");
    for (cells, mapping) in rows.iter().zip(TABLE) {
        let kind = mapping.kind;
        let context = format!("DESIGN.md row {cells:?}");
        assert_eq!(cells.len(), 5, "{context}");
        let name = cells[0].split_whitespace().next().unwrap();
        assert_eq!(name, format!("{kind:?}"), "{context}: rows in table order");
        assert_eq!(
            first_number(&cells[1]),
            Some(kind.status().as_u16()),
            "{context}"
        );
        let headers: Vec<String> = kind
            .required_headers()
            .iter()
            .map(|h| h.as_str().to_owned())
            .collect();
        let stated: Vec<String> = quoted(&cells[1])
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        assert_eq!(stated, headers, "{context}: required headers");
        let standard = kind.close_code(CloseCodes::Standard).as_u16();
        assert_eq!(first_number(&cells[2]), Some(standard), "{context}");
        let mirror = if cells[3] == "same" {
            Some(standard)
        } else {
            first_number(&cells[3])
        };
        assert_eq!(
            mirror,
            Some(kind.close_code(CloseCodes::HttpMirror).as_u16()),
            "{context}"
        );
        assert_eq!(cells[4], kind.grpc_code().name(), "{context}");
    }
    // Every kind has its row.
    assert_eq!(Kind::ALL.len(), TABLE.len());
}
