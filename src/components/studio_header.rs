//! The page header: product name and the model the studio drives.

use leptos::prelude::*;

use crate::PRODUCT_NAME;

/// The banner at the top of the studio.
#[component]
pub fn StudioHeader() -> impl IntoView {
    view! {
        <header class="ks-header">
            <div class="ks-header__brand">
                <svg class="ks-header__logo" viewBox="0 0 32 32" aria-hidden="true">
                    <rect width="32" height="32" rx="7" />
                    <path d="M12 9.5v13l10.5-6.5z" />
                </svg>
                <h1 class="ks-header__title">{PRODUCT_NAME}</h1>
            </div>
            <p class="ks-header__model">
                <span class="ks-header__model-name">"KlingAI 2.1 Pro"</span>
                <code class="ks-header__model-id">"klingai:5@2"</code>
            </p>
        </header>
    }
}
