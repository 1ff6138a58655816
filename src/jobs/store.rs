//! The journal on disk: IndexedDB, with two object stores. `jobs` holds the small job records
//! (JSON text, keyed by `taskUUID`); `blobs` holds frame images and card pictures by content
//! key, so the records stay small however large the frames are, and the browser's IndexedDB quota
//! (a share of the disk, not localStorage's 5 MB) holds the images.

use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::frames::Blob;
use super::model::Job;

const DB_NAME: &str = "kling-studio";
const DB_VERSION: u32 = 1;
const JOBS: &str = "jobs";
const BLOBS: &str = "blobs";

/// Why the journal could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// IndexedDB is missing or refused (some private windows).
    #[error("this browser does not let the studio keep a history ({0})")]
    Unavailable(String),
    /// A read or write failed (often: the disk quota is used up).
    #[error("the history could not be saved ({0})")]
    Failed(String),
}

fn failed(error: JsValue) -> StoreError {
    let text = error
        .dyn_ref::<web_sys::DomException>()
        .map(|e| format!("{}: {}", e.name(), e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned());
    StoreError::Failed(text)
}

/// Resolves when `request` succeeds, with its result.
async fn finished(request: &IdbRequest) -> Result<JsValue, StoreError> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.map_err(|_| {
        failed(
            request
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or(JsValue::UNDEFINED),
        )
    })?;
    request.result().map_err(failed)
}

/// Resolves when `tx` has committed: only then is the data on disk.
async fn committed(tx: &IdbTransaction) -> Result<(), StoreError> {
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    JsFuture::from(promise).await.map(|_| ()).map_err(|_| {
        failed(
            tx.error()
                .map(JsValue::from)
                .unwrap_or_else(|| JsValue::from_str("the transaction was aborted")),
        )
    })
}

/// An open journal.
#[derive(Clone)]
pub struct Store {
    db: IdbDatabase,
}

impl Store {
    /// Opens (and on first use creates) the journal.
    pub async fn open() -> Result<Store, StoreError> {
        let unavailable = |e: JsValue| StoreError::Unavailable(format!("{e:?}"));
        let factory = web_sys::window()
            .ok_or_else(|| StoreError::Unavailable("no window".into()))?
            .indexed_db()
            .map_err(unavailable)?
            .ok_or_else(|| StoreError::Unavailable("no IndexedDB".into()))?;
        let request = factory
            .open_with_u32(DB_NAME, DB_VERSION)
            .map_err(unavailable)?;
        let upgrade = Closure::once_into_js(move |event: web_sys::Event| {
            let db = event
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
            if let Some(db) = db {
                let names = db.object_store_names();
                for name in [JOBS, BLOBS] {
                    if !names.contains(name) {
                        let _ = db.create_object_store(name);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
        let db = finished(&request)
            .await?
            .dyn_into::<IdbDatabase>()
            .map_err(|_| StoreError::Unavailable("not a database".into()))?;
        Ok(Store { db })
    }

    fn transaction(&self, stores: &[&str], write: bool) -> Result<IdbTransaction, StoreError> {
        let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let mode = if write {
            IdbTransactionMode::Readwrite
        } else {
            IdbTransactionMode::Readonly
        };
        self.db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(failed)
    }

    /// Writes `jobs` and `blobs` in one transaction; returns once they are on disk.
    pub async fn save(&self, jobs: &[&Job], blobs: &[Blob]) -> Result<(), StoreError> {
        let tx = self.transaction(&[JOBS, BLOBS], true)?;
        let job_store = tx.object_store(JOBS).map_err(failed)?;
        for job in jobs {
            job_store
                .put_with_key(
                    &JsValue::from_str(&job.to_text()),
                    &JsValue::from_str(&job.id),
                )
                .map_err(failed)?;
        }
        let blob_store = tx.object_store(BLOBS).map_err(failed)?;
        for blob in blobs {
            blob_store
                .put_with_key(
                    &JsValue::from_str(&blob.value),
                    &JsValue::from_str(&blob.key),
                )
                .map_err(failed)?;
        }
        committed(&tx).await
    }

    /// Every job record; records that cannot be read are skipped and counted.
    pub async fn jobs(&self) -> Result<(Vec<Job>, usize), StoreError> {
        let tx = self.transaction(&[JOBS], false)?;
        let request = tx
            .object_store(JOBS)
            .map_err(failed)?
            .get_all()
            .map_err(failed)?;
        let all: Array = finished(&request).await?.unchecked_into();
        let mut jobs = Vec::with_capacity(all.length() as usize);
        let mut damaged = 0;
        for value in all.iter() {
            match value.as_string().map(|t| Job::from_text(&t)) {
                Some(Ok(job)) => jobs.push(job),
                _ => damaged += 1,
            }
        }
        Ok((jobs, damaged))
    }

    /// The blob `key`.
    pub async fn blob(&self, key: &str) -> Result<Option<String>, StoreError> {
        let tx = self.transaction(&[BLOBS], false)?;
        let request = tx
            .object_store(BLOBS)
            .map_err(failed)?
            .get(&JsValue::from_str(key))
            .map_err(failed)?;
        Ok(finished(&request).await?.as_string())
    }

    /// Deletes job `id` and the blobs in `orphans` (those no other job refers to).
    pub async fn delete(&self, id: &str, orphans: &[String]) -> Result<(), StoreError> {
        let tx = self.transaction(&[JOBS, BLOBS], true)?;
        tx.object_store(JOBS)
            .map_err(failed)?
            .delete(&JsValue::from_str(id))
            .map_err(failed)?;
        let blobs = tx.object_store(BLOBS).map_err(failed)?;
        for key in orphans {
            blobs.delete(&JsValue::from_str(key)).map_err(failed)?;
        }
        committed(&tx).await
    }
}
