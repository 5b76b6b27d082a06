//! An in-memory `SecretStore` for unit tests of flow logic (never used by the program itself).

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Secret, SecretStore, VaultError};

#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Secret>>,
}

impl SecretStore for MemoryStore {
    fn name(&self) -> &str {
        "memory"
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<(), VaultError> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(account.to_owned(), secret.clone());
        Ok(())
    }
    fn get(&self, account: &str) -> Result<Option<Secret>, VaultError> {
        Ok(self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(account)
            .cloned())
    }
    fn delete(&self, account: &str) -> Result<(), VaultError> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(account);
        Ok(())
    }
}
