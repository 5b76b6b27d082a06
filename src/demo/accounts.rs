//! The demo's fictional customers (`cds_test_accounts`, CDS-WG1-02 §3.2): public by design,
//! since developers need them to try the authorization flow.

use crate::demo::store::constant_time_eq;

/// One service contract of a test customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestService {
    pub contract_number: &'static str,
    pub service_type: &'static str,
    /// The coverage entry (WG1-01 §4.3) the service lies in.
    pub coverage: &'static str,
    pub address: &'static str,
}

/// A fictional customer whose credentials are public by design: the demo has no real customers,
/// and developers need them to try the authorization flow (`cds_test_accounts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub services: &'static [TestService],
}

/// The demo's test customers.
pub const TEST_ACCOUNTS: &[TestAccount] = &[
    TestAccount {
        username: "alice",
        password: "demo-alice",
        name: "Alice Ames",
        description: "Residential electric customer with rooftop solar",
        services: &[
            TestService {
                contract_number: "SA-1001-E",
                service_type: "electric (residential)",
                coverage: "dge_elec_west",
                address: "12 Orchard Lane, Westfield",
            },
            TestService {
                contract_number: "SA-1002-E",
                service_type: "electric (residential)",
                coverage: "dge_elec_west",
                address: "12 Orchard Lane, Westfield (garage sub-meter)",
            },
        ],
    },
    TestAccount {
        username: "bob",
        password: "demo-bob",
        name: "Bob Baptiste",
        description: "Residential natural gas customer",
        services: &[TestService {
            contract_number: "SA-2001-G",
            service_type: "natural gas (residential)",
            coverage: "dge_gas",
            address: "48 Quarry Road, Eastvale",
        }],
    },
    TestAccount {
        username: "carol",
        password: "demo-carol",
        name: "Carol Chen (Chen Bakery LLC)",
        description: "Commercial customer with electric and gas service",
        services: &[
            TestService {
                contract_number: "SA-3001-E",
                service_type: "electric (commercial)",
                coverage: "dge_ci_customers",
                address: "300 Market Street, Eastvale",
            },
            TestService {
                contract_number: "SA-3002-G",
                service_type: "natural gas (commercial)",
                coverage: "dge_gas",
                address: "300 Market Street, Eastvale",
            },
        ],
    },
];

/// The test customers, for `demo-server` to print.
pub fn test_accounts() -> &'static [TestAccount] {
    TEST_ACCOUNTS
}

pub(crate) fn find_account(username: &str, password: &str) -> Option<&'static TestAccount> {
    TEST_ACCOUNTS.iter().find(|a| {
        constant_time_eq(a.username.as_bytes(), username.as_bytes())
            && constant_time_eq(a.password.as_bytes(), password.as_bytes())
    })
}

pub(crate) fn account(username: &str) -> Option<&'static TestAccount> {
    TEST_ACCOUNTS.iter().find(|a| a.username == username)
}
