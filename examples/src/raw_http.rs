//! A deliberately plain HTTP/1.1 client over a `TcpStream`, for tests: it sends header
//! lines exactly as given (repeated names, raw non-UTF-8 bytes, huge values), which
//! ordinary clients normalise or refuse.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::{TestRequest, TestResponse};

/// Sends `req` to `addr` with `Connection: close` and reads the whole response.
pub fn send(addr: SocketAddr, req: &TestRequest) -> io::Result<TestResponse> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.set_write_timeout(Some(Duration::from_secs(20)))?;
    let head = request_head(addr, req, "close")?;
    // A server may answer (431, 400) and close before reading everything we send.
    let write_result = stream.write_all(&head);
    let mut raw = Vec::new();
    let read_result = stream.read_to_end(&mut raw);
    if raw.is_empty() {
        write_result?;
        read_result?;
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "empty response",
        ));
    }
    parse(&raw)
}

/// The request line and header lines of `req`, with `Host` (unless `req` has its own) and
/// `Connection: <connection>` first, `Content-Length: 0` for methods that usually carry a
/// body, then `req`'s lines exactly as given.
fn request_head(addr: SocketAddr, req: &TestRequest, connection: &str) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(256);
    write!(head, "{} {} HTTP/1.1\r\n", req.method, req.path)?;
    if !req
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("host"))
    {
        write!(head, "Host: {addr}\r\n")?;
    }
    write!(head, "Connection: {connection}\r\n")?;
    if matches!(req.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE") {
        head.extend_from_slice(b"Content-Length: 0\r\n");
    }
    for (name, value) in &req.headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    Ok(head)
}

/// A kept-alive HTTP/1.1 connection: requests go one at a time (no pipelining) with
/// `Connection: keep-alive`, header lines exactly as given, as with [`send`]; each
/// response is read by its `Content-Length` or chunked framing.
///
/// ```no_run
/// # fn main() -> std::io::Result<()> {
/// use cors_examples::{TestRequest, raw_http::Connection};
/// let mut conn = Connection::open("127.0.0.1:3000".parse().unwrap())?;
/// let req = TestRequest { method: "GET".into(), path: "/".into(), headers: vec![] };
/// let first = conn.send(&req)?;
/// let second = conn.send(&req)?; // same TCP connection, unless the server closed it
/// # let _ = (first, second); Ok(()) }
/// ```
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    addr: SocketAddr,
    buf: Vec<u8>,
    closed: bool,
}

impl Connection {
    /// Connects to `addr` (5 s connect timeout, 20 s read and write timeouts).
    pub fn open(addr: SocketAddr) -> io::Result<Connection> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        stream.set_read_timeout(Some(Duration::from_secs(20)))?;
        stream.set_write_timeout(Some(Duration::from_secs(20)))?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            addr,
            buf: Vec::new(),
            closed: false,
        })
    }

    /// Whether the server said it closes the connection (`Connection: close`, or a
    /// response framed by the end of the stream); later [`Connection::send`]s fail.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Sends `req` and reads its response (the body de-chunked when chunked).
    pub fn send(&mut self, req: &TestRequest) -> io::Result<TestResponse> {
        if self.closed {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the server closed the connection",
            ));
        }
        let head = request_head(self.addr, req, "keep-alive")?;
        self.stream.write_all(&head)?;
        let end = loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            self.fill()?;
        };
        let mut res = parse(&self.buf[..end])?;
        self.buf.drain(..end);
        let header = |name: &str| {
            res.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        if header("connection").is_some_and(|v| v.eq_ignore_ascii_case(b"close")) {
            self.closed = true;
        }
        let no_body = req.method == "HEAD"
            || res.status == 204
            || res.status == 304
            || (100..200).contains(&res.status);
        let body = if no_body {
            Vec::new()
        } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case(b"chunked")) {
            self.read_chunked()?
        } else if let Some(len) = header("content-length") {
            let len: usize = std::str::from_utf8(&len)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| invalid("bad content-length"))?;
            self.take(len)?
        } else {
            self.closed = true;
            self.stream.read_to_end(&mut self.buf)?;
            std::mem::take(&mut self.buf)
        };
        res.body = body;
        Ok(res)
    }

    /// Reads more bytes into the buffer; errors at the end of the stream.
    fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            self.closed = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    fn take(&mut self, len: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < len {
            self.fill()?;
        }
        Ok(self.buf.drain(..len).collect())
    }

    fn line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(eol) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[..eol].to_vec();
                self.buf.drain(..eol + 2);
                return Ok(line);
            }
            self.fill()?;
        }
    }

    fn read_chunked(&mut self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let line = self.line()?;
            let size_text = std::str::from_utf8(&line).map_err(|_| invalid("bad chunk size"))?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| invalid("bad chunk size"))?;
            if size == 0 {
                // Trailers, if any, up to the empty line.
                while !self.line()?.is_empty() {}
                return Ok(out);
            }
            out.extend(self.take(size)?);
            if !self.line()?.is_empty() {
                return Err(invalid("bad chunk"));
            }
        }
    }
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_owned())
}

/// Parses one HTTP/1.1 response (the body read to the end, de-chunked when chunked).
pub fn parse(raw: &[u8]) -> io::Result<TestResponse> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("no end of headers"))?;
    let head = &raw[..end];
    let mut body = raw[end + 4..].to_vec();
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().ok_or_else(|| invalid("no status line"))?;
    let status = status_line
        .split(|&b| b == b' ')
        .nth(1)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("bad status line"))?;
    let mut headers = Vec::new();
    for line in lines {
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or_else(|| invalid("bad header"))?;
        let name = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
        let value = line[colon + 1..].trim_ascii().to_vec();
        headers.push((name, value));
    }
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case(b"chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Ok(TestResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| invalid("bad chunk"))?;
        let size_text = std::str::from_utf8(&data[..eol]).map_err(|_| invalid("bad chunk size"))?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| invalid("bad chunk size"))?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = data.get(..size).ok_or_else(|| invalid("short chunk"))?;
        out.extend_from_slice(chunk);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_chunked_responses() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nVary: a\r\nvary: b\r\n\r\n2\r\nok\r\n1\r\n!\r\n0\r\n\r\n";
        let r = super::parse(raw).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"ok!");
        assert_eq!(r.headers.iter().filter(|(n, _)| n == "vary").count(), 2);
    }
}
