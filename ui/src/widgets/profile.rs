//! Widget 1: the user's profile summary.

use dioxus::prelude::*;
use larder_protocol::widgets::ProfileSummary;

#[component]
pub fn ProfileCard(profile: ProfileSummary) -> Element {
    let initials: String = profile
        .display_name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase();
    rsx! {
        div { class: "profile",
            div { class: "avatar", "aria-hidden": "true", "{initials}" }
            div {
                p { class: "profile-name", "{profile.display_name}" }
                p { class: "muted", "{profile.title} · {profile.team}" }
                p { class: "muted", "{profile.location} · member since {profile.member_since}" }
            }
        }
        div { class: "meter", title: "Profile completeness",
            div { class: "meter-fill", style: "width: {profile.completeness}%" }
        }
        p { class: "muted small", "Profile {profile.completeness}% complete" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_name_and_completeness() {
        let profile = ProfileSummary {
            display_name: "Zoë Quinn".into(),
            title: "Data analyst".into(),
            team: "Growth".into(),
            location: "Osaka".into(),
            member_since: "2021-04".into(),
            completeness: 85,
        };
        let html = dioxus_ssr::render_element(rsx! { ProfileCard { profile } });
        assert!(html.contains("Zoë Quinn"), "{html}");
        assert!(html.contains(">ZQ<"), "{html}");
        assert!(html.contains("width: 85%"), "{html}");
    }
}
