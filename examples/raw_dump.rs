//! The floor for `cargo xtask bench`: the least a program can do to dump the kernel's
//! audit rules. One socket, one AUDIT_LIST_RULES request, receive until NLMSG_DONE,
//! decode nothing. Prints only the number of rule messages.

use std::mem::{size_of, zeroed};

const NETLINK_AUDIT: i32 = 9;
const AUDIT_LIST_RULES: u16 = 1013;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;

fn main() {
    // SAFETY: plain socket syscalls on buffers we own.
    unsafe {
        let fd = libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, NETLINK_AUDIT);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        let size: i32 = 64 << 20;
        libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, (&size as *const i32).cast(), 4);
        let mut request = [0u8; 16];
        request[0..4].copy_from_slice(&16u32.to_ne_bytes());
        request[4..6].copy_from_slice(&AUDIT_LIST_RULES.to_ne_bytes());
        request[6..8].copy_from_slice(&(libc::NLM_F_REQUEST as u16 | libc::NLM_F_ACK as u16).to_ne_bytes());
        request[8..12].copy_from_slice(&1u32.to_ne_bytes());
        let mut kernel: libc::sockaddr_nl = zeroed();
        kernel.nl_family = libc::AF_NETLINK as u16;
        let sent = libc::sendto(
            fd,
            request.as_ptr().cast(),
            request.len(),
            0,
            (&kernel as *const libc::sockaddr_nl).cast(),
            size_of::<libc::sockaddr_nl>() as u32,
        );
        assert_eq!(sent, 16, "sendto: {}", std::io::Error::last_os_error());
        let mut buffer = vec![0u8; 512 * 1024];
        let mut rules = 0u64;
        'receive: loop {
            let n = libc::recv(fd, buffer.as_mut_ptr().cast(), buffer.len(), 0);
            assert!(n >= 0, "recv: {}", std::io::Error::last_os_error());
            let mut at = 0usize;
            while at + 16 <= n as usize {
                let len = u32::from_ne_bytes(buffer[at..at + 4].try_into().unwrap()) as usize;
                let kind = u16::from_ne_bytes(buffer[at + 4..at + 6].try_into().unwrap());
                match kind {
                    NLMSG_DONE => break 'receive,
                    NLMSG_ERROR => {
                        let code = i32::from_ne_bytes(buffer[at + 16..at + 20].try_into().unwrap());
                        assert_eq!(code, 0, "kernel error {code}");
                    }
                    AUDIT_LIST_RULES => rules += 1,
                    _ => {}
                }
                if len < 16 {
                    break;
                }
                at += (len + 3) & !3;
            }
        }
        println!("{rules}");
    }
}
