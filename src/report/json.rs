//! JSON renderer: the [`Report`] as JSON (schema in [`crate::report`]), indented like
//! `serde_json`'s pretty printer except that the small objects from the fifth level down
//! (an edit, a boilerplate occurrence, a cluster member, a source) are one line each: a
//! third smaller than indenting every level, still read and diffed line by line.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;

/// Objects this deep (the report itself is depth 1) or deeper, with no array or object in
/// them, are written on one line.
const ONE_LINE_DEPTH: usize = 5;

/// Render the report as JSON, ending in a newline ([`write`] into memory).
pub fn render(report: &Report) -> String {
    let mut bytes = Vec::new();
    write(report, &mut bytes).expect("a report always serialises into memory");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// Write the report as JSON ending in a newline, streaming into `w` (no copy of the whole
/// text in memory: a large corpus's report runs to gigabytes).
pub fn write(report: &Report, w: impl io::Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 20, w);
    to_writer(&mut w, report, ONE_LINE_DEPTH)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// Serialise `value` indented by two spaces, with objects of scalars at depth `one_line`
/// and below each on one line.
fn to_writer(w: impl io::Write, value: &impl Serialize, one_line: usize) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Lines::new(one_line));
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// Parse a report written by [`render`].
pub fn parse(text: &str) -> Result<Report, serde_json::Error> {
    serde_json::from_str(text)
}

/// `serde_json`'s pretty layout, except that an object at depth `one_line` or deeper that
/// holds no array or object is written on one line. Whether it does is known only at its
/// end, so such an object is written twice into buffers, on one line and pretty, until it
/// ends (one line wins) or a container opens in it (pretty wins).
struct Lines {
    depth: usize,
    one_line: usize,
    /// Depth of the object being buffered.
    pending: Option<usize>,
    flat: Vec<u8>,
    pretty: Vec<u8>,
    has_value: bool,
}

/// Scalars are written the same either way: by `serde_json`'s compact formatter, into `w`
/// or into both buffers.
macro_rules! scalar {
    ($self:ident, $w:ident, $method:ident $(, $arg:expr)*) => {{
        use serde_json::ser::{CompactFormatter, Formatter};
        if $self.pending.is_some() {
            Formatter::$method(&mut CompactFormatter, &mut $self.flat $(, $arg)*)?;
            Formatter::$method(&mut CompactFormatter, &mut $self.pretty $(, $arg)*)
        } else {
            Formatter::$method(&mut CompactFormatter, $w $(, $arg)*)
        }
    }};
}

/// `bytes`, then a newline and `indent` levels of indentation when given.
fn structure<W: ?Sized + io::Write>(
    w: &mut W,
    bytes: &[u8],
    indent: Option<usize>,
) -> io::Result<()> {
    w.write_all(bytes)?;
    if let Some(n) = indent {
        w.write_all(b"\n")?;
        for _ in 0..n {
            w.write_all(b"  ")?;
        }
    }
    Ok(())
}

impl Lines {
    fn new(one_line: usize) -> Lines {
        Lines {
            depth: 0,
            one_line,
            pending: None,
            flat: Vec::new(),
            pretty: Vec::new(),
            has_value: false,
        }
    }

    /// Write structure: `pretty` (with `indent` levels of indentation after a newline when
    /// given) or, in a buffered object, `flat` as well.
    fn put<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        pretty: &[u8],
        indent: Option<usize>,
        flat: &[u8],
    ) -> io::Result<()> {
        if self.pending.is_some() {
            self.flat.extend_from_slice(flat);
            structure(&mut self.pretty, pretty, indent)
        } else {
            structure(w, pretty, indent)
        }
    }

    fn begin<W: ?Sized + io::Write>(&mut self, w: &mut W, open: &[u8]) -> io::Result<()> {
        if self.pending.take().is_some() {
            // Not a one-line object after all.
            w.write_all(&self.pretty)?;
            self.flat.clear();
            self.pretty.clear();
        }
        self.depth += 1;
        self.has_value = false;
        if open == b"{" && self.depth >= self.one_line {
            self.pending = Some(self.depth);
        }
        self.put(w, open, None, open)
    }

    fn end<W: ?Sized + io::Write>(&mut self, w: &mut W, close: &[u8]) -> io::Result<()> {
        let indent = self.has_value.then_some(self.depth - 1);
        if self.pending == Some(self.depth) {
            self.pending = None;
            self.flat.extend_from_slice(close);
            w.write_all(&self.flat)?;
            self.flat.clear();
            self.pretty.clear();
        } else {
            if let Some(n) = indent {
                self.put(w, b"", Some(n), b"")?;
            }
            self.put(w, close, None, close)?;
        }
        self.depth -= 1;
        Ok(())
    }

    fn item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        let comma: &[u8] = if first { b"" } else { b"," };
        self.put(w, comma, Some(self.depth), comma)
    }
}

impl serde_json::ser::Formatter for Lines {
    fn write_null<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        scalar!(self, w, write_null)
    }
    fn write_bool<W: ?Sized + io::Write>(&mut self, w: &mut W, v: bool) -> io::Result<()> {
        scalar!(self, w, write_bool, v)
    }
    fn write_i64<W: ?Sized + io::Write>(&mut self, w: &mut W, v: i64) -> io::Result<()> {
        scalar!(self, w, write_i64, v)
    }
    fn write_u64<W: ?Sized + io::Write>(&mut self, w: &mut W, v: u64) -> io::Result<()> {
        scalar!(self, w, write_u64, v)
    }
    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        scalar!(self, w, write_f64, v)
    }
    fn write_number_str<W: ?Sized + io::Write>(&mut self, w: &mut W, v: &str) -> io::Result<()> {
        scalar!(self, w, write_number_str, v)
    }
    fn begin_string<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        scalar!(self, w, begin_string)
    }
    fn end_string<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        scalar!(self, w, end_string)
    }
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        scalar!(self, w, write_string_fragment, fragment)
    }
    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> io::Result<()> {
        // An escape is not `Clone`: written once, then copied.
        let mut bytes = Vec::with_capacity(6);
        serde_json::ser::CompactFormatter.write_char_escape(&mut bytes, escape)?;
        scalar!(
            self,
            w,
            write_raw_fragment,
            std::str::from_utf8(&bytes).expect("ASCII")
        )
    }
    fn write_raw_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        scalar!(self, w, write_raw_fragment, fragment)
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, b"[")
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"]")
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, b"{")
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"}")
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.put(w, b": ", None, b":")
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> serde_json::Value {
        serde_json::json!({
            "a": 1,
            "empty": {}, "none": [],
            "list": [{"x": [1, 2, {"deep": {"deeper": [3, {}], "s": "q\"\n"}}], "y": []}, 4],
            "b": {"c": {"d": {"e": {"f": [1, {"g": 2}]}}}}
        })
    }

    fn lines(v: &serde_json::Value, one_line: usize) -> String {
        let mut out = Vec::new();
        to_writer(&mut out, v, one_line).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn above_the_one_line_depth_the_layout_is_serde_jsons_pretty_one() {
        let v = sample();
        assert_eq!(
            lines(&v, usize::MAX),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }

    #[test]
    fn deep_objects_of_scalars_are_one_line_and_the_value_is_unchanged() {
        let v = sample();
        for depth in 1..8 {
            let s = lines(&v, depth);
            assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
        }
        let s = lines(&v, 3);
        // `x`'s object (depth 3) holds arrays: pretty. `deeper` holds one: pretty. The empty
        // object in it and `{"g": 2}` are objects of scalars: one line.
        assert!(s.contains("\n    {\n      \"x\": [\n"), "{s}");
        assert!(s.contains("\n              {}\n"), "{s}");
        assert!(s.contains("\n            {\"g\":2}\n"), "{s}");
        assert!(s.contains("\"s\": \"q\\\"\\n\""), "{s}");
        // At depth 1 every object of scalars is one line, and the rest is pretty.
        let s = lines(&serde_json::json!({"a": [{"b": 1, "c": "d"}]}), 1);
        assert_eq!(s, "{\n  \"a\": [\n    {\"b\":1,\"c\":\"d\"}\n  ]\n}");
    }
}
