//! The system settings of the model every node gets: sysctl, the
//! resolver, extra hosts entries.

use serde::Serialize;
use std::net::IpAddr;

#[derive(Debug, Clone, Serialize)]
pub struct Sysctl {
    pub key: String,
    pub value: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Resolver {
    /// Run a caching nameserver on 127.0.0.1 (unbound) with no forwarder.
    pub caching: bool,
    /// Forwarders; empty means full recursion ("no local referrer").
    pub forwarders: Vec<IpAddr>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostEntry {
    pub address: IpAddr,
    pub names: Vec<String>,
}
