//! `saddr=`: a SOCKADDR record's hex `struct sockaddr`, as auparse's `print_sockaddr`
//! (interpret.c:1200) prints it: `{ saddr_fam=inet laddr=127.0.0.1 lport=53 }`.
//! Covered: local (path and abstract), inet, inet6 (without a scope id), netlink, and
//! every other family as `(unsupported)`; ax25, ipx, atmpvc and x25 addresses are not
//! decoded (printed as unsupported).

use super::fields::Out;
use super::tables::FAMILIES;
use crate::events::text::Names;

/// `au_unescape` for a sockaddr: the hex decoded, zeros after (its buffer).
fn decode(val: &[u8]) -> Option<Vec<u8>> {
    let hex = &val[..val.iter().position(|b| !b.is_ascii_hexdigit()).unwrap_or(val.len())];
    if val.first() == Some(&b'(') || hex.len() < 2 {
        return None;
    }
    let nibble = |b: Option<&u8>| b.and_then(|&b| (b as char).to_digit(16)).unwrap_or(0) as u8;
    let mut bytes: Vec<u8> =
        (0..hex.len()).step_by(2).map(|i| nibble(hex.get(i)) << 4 | nibble(hex.get(i + 1))).collect();
    bytes.resize(val.len() + 1, 0);
    Some(bytes)
}

fn c_string(bytes: &[u8], max: usize) -> &[u8] {
    let bytes = &bytes[..bytes.len().min(max)];
    &bytes[..bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())]
}

/// `print_sockaddr`.
pub(super) fn print_sockaddr(val: &[u8], _names: &Names) -> Out {
    // A value that is not hex: auparse's `au_unescape` gives NULL for it, or returns
    // `(…)` as is, which then reads as a family of its bytes.
    let slen = val.len() / 2;
    let host = match val.first() {
        Some(b'(') => match val.iter().position(|&b| b == b')') {
            Some(close) => {
                let mut b = val[..=close].to_vec();
                b.resize(val.len() + 1, 0);
                b
            }
            None => return [b"malformed-host(", val, b")"].concat(),
        },
        _ => match decode(val) {
            Some(b) => b,
            None => return [b"malformed-host(", val, b")"].concat(),
        },
    };
    let family = u16::from_ne_bytes([host[0], host.get(1).copied().unwrap_or(0)]);
    let Some(name) = FAMILIES.iter().find(|e| e.0 == u64::from(family)).map(|e| e.1) else {
        return format!("unknown-family({family})").into_bytes();
    };
    let text = match family {
        1 if slen < 4 => format!("{{ saddr_fam={name} sockaddr len too short }}"),
        1 => {
            let path = &host[2..];
            // An abstract name starts with a NUL, which is skipped.
            let path = if path[0] != 0 { c_string(path, 108) } else { c_string(&path[1..], 108) };
            let mut out = format!("{{ saddr_fam={name} path=").into_bytes();
            out.extend_from_slice(path);
            out.extend_from_slice(b" }");
            return out;
        }
        2 if slen < 16 => format!("{{ saddr_fam={name} sockaddr len too short }}"),
        2 => {
            let port = u16::from_be_bytes([host[2], host[3]]);
            let addr = std::net::Ipv4Addr::new(host[4], host[5], host[6], host[7]);
            format!("{{ saddr_fam={name} laddr={addr} lport={port} }}")
        }
        10 if slen < 28 => format!("{{ saddr_fam={name} sockaddr6 len too short }}"),
        10 => {
            let port = u16::from_be_bytes([host[2], host[3]]);
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&host[8..24]);
            let addr = std::net::Ipv6Addr::from(octets);
            format!("{{ saddr_fam={name} laddr={} lport={port} }}", ipv6_text(addr))
        }
        16 if slen < 12 => format!("{{ saddr_fam={name} len too short }}"),
        16 => {
            // `nl_family` is the sockaddr's family itself, always 16.
            let pid = u32::from_ne_bytes([host[4], host[5], host[6], host[7]]);
            format!("{{ saddr_fam={name} nlnk-fam={family} nlnk-pid={pid} }}")
        }
        _ => format!("{{ saddr_fam={name} (unsupported) }}"),
    };
    text.into_bytes()
}

/// `getnameinfo(NI_NUMERICHOST)`'s text of an IPv6 address: glibc's `inet_ntop`, which
/// writes IPv4-mapped and -compatible addresses with a dotted quad; Rust does so for the
/// mapped ones only.
fn ipv6_text(addr: std::net::Ipv6Addr) -> String {
    let s = addr.segments();
    // The zero run must be exactly the first six words (glibc's inet_ntop6).
    let is_compat = s[..6] == [0; 6] && s[6] != 0;
    if is_compat {
        let o = addr.octets();
        return format!("::{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
    }
    addr.to_string()
}
