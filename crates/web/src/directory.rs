//! A short-lived in-process copy of the areas and agencies, which every request needs (to
//! build the access principal) and which change only when an administrator adds one. Entries
//! are re-read after [`TTL`], so a change made by another process shows within that time.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use safehub_domain::{AgencyId, AreaId};
use safehub_store::organisations::Agency;
use safehub_store::{Store, StoreError};

/// How long a copy is trusted.
pub const TTL: Duration = Duration::from_secs(30);

/// The cached areas and agencies.
#[derive(Debug, Default)]
pub struct Directory {
    cached: RwLock<Option<(Instant, Arc<Snapshot>)>>,
}

#[derive(Debug, Default)]
struct Snapshot {
    agencies: HashMap<AgencyId, Agency>,
    area_names: HashMap<AreaId, String>,
}

impl Directory {
    async fn snapshot(&self, store: &Store) -> Result<Arc<Snapshot>, StoreError> {
        if let Ok(guard) = self.cached.read() {
            if let Some((at, snap)) = guard.as_ref() {
                if at.elapsed() < TTL {
                    return Ok(Arc::clone(snap));
                }
            }
        }
        let agencies = store
            .agencies()
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let area_names = store
            .areas()
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let snap = Arc::new(Snapshot {
            agencies,
            area_names,
        });
        if let Ok(mut guard) = self.cached.write() {
            *guard = Some((Instant::now(), Arc::clone(&snap)));
        }
        Ok(snap)
    }

    /// One agency with the areas it serves.
    pub async fn agency(&self, store: &Store, id: AgencyId) -> Result<Agency, StoreError> {
        if let Some(a) = self.snapshot(store).await?.agencies.get(&id).cloned() {
            return Ok(a);
        }
        // Added since the copy was taken.
        store.agency(id).await
    }

    /// An area's name.
    pub async fn area_name(&self, store: &Store, id: AreaId) -> Result<String, StoreError> {
        Ok(self
            .snapshot(store)
            .await?
            .area_names
            .get(&id)
            .cloned()
            .unwrap_or_default())
    }
}
