//! Merge and verdicts over hand-made contracts and answers: one `check` per scenario prints
//! a small stable dump of the merged report (state, reporters, unanswered, retirable).

use mirrorc_core::contract::report::{EstateReport, ServerDisk, ServerReport, REPORT_VERSION};
use mirrorc_core::contract::status::{example_record, Outcome};
use mirrorc_core::contract::{Disk, EligibleDisk, ReportSettings, ServerContract};

use super::merge::{merge, Asked};
use super::transport::{NoAnswer, Why};
use super::{time, verdict};

const NOW: i64 = 1_796_166_245;
const H: i64 = 3600;

fn contract(server: &str, state: &str, held: &[&str], eligible: &[(&str, &str)]) -> ServerContract {
    let disk = |tag: &str| Disk {
        tag: tag.into(),
        client: tag.split('_').next().unwrap_or(tag).into(),
        client_fqdn: String::new(),
        client_addresses: Vec::new(),
        port: 8873,
        path_tag: "home".into(),
        path: "/home".into(),
        dstdir: String::new(),
        checksum: false,
        exclude: Vec::new(),
        safety_limit: 70,
        copies: 1,
        holders: vec![server.into()],
        size: None,
        client_site: "south".into(),
        max_age_seconds: 36 * H as u64,
    };
    ServerContract {
        version: 1,
        server: server.into(),
        fqdn: format!("{server}.test"),
        site: "north".into(),
        state: state.into(),
        addresses: Vec::new(),
        store: "/srv".into(),
        capacity: None,
        disks: held.iter().map(|t| disk(t)).collect(),
        eligible: eligible
            .iter()
            .map(|(t, holder)| EligibleDisk {
                tag: (*t).into(),
                client: t.split('_').next().unwrap_or(t).into(),
                holders: vec![(*holder).into()],
            })
            .collect(),
        report: ReportSettings {
            realm: None,
            remctl_port: 4373,
            max_age_seconds: 36 * H as u64,
        },
    }
}

/// The answer of `c` with records `(tag, outcome, hours ago)`.
fn answer(c: &ServerContract, records: &[(&str, Outcome, i64)]) -> Result<ServerReport, NoAnswer> {
    let held = c.disks.iter().map(|d| (&d.tag, &d.client, true));
    let eligible = c.eligible.iter().map(|d| (&d.tag, &d.client, false));
    let disks = held
        .chain(eligible)
        .map(|(tag, client, holds)| ServerDisk {
            tag: tag.clone(),
            client: client.clone(),
            holds,
            status: records.iter().find(|r| r.0 == tag).map(|(_, o, h)| {
                example_record(tag, client, &c.server, *o, &time::format(NOW - h * H))
            }),
            record_error: None,
        })
        .collect();
    Ok(ServerReport {
        version: REPORT_VERSION,
        server: c.server.clone(),
        state: c.state.clone(),
        disks,
    })
}

fn dump(r: &EstateReport) -> String {
    let mut out = String::new();
    for d in &r.disks {
        out.push_str(&format!(
            "{} {} by={:?} unanswered={:?}\n",
            d.tag,
            d.state.as_str(),
            d.reported_by,
            d.unanswered
        ));
    }
    out.push_str(&format!(
        "retirable={:?} verdict={:?}\n",
        r.retirable,
        verdict(r)
    ));
    out
}

#[track_caller]
fn check(asked: &[Asked<'_>], expect: &str) {
    let r = merge(asked, |_| true, "all".into(), NOW);
    assert_eq!(dump(&r), expect);
}

#[test]
fn fresh_stale_failed_never_and_unknown() {
    let a = contract(
        "sa",
        "active",
        &["c1_home", "c2_home", "c3_home"],
        &[("c4_home", "sb")],
    );
    let b = contract("sb", "active", &["c4_home"], &[("c1_home", "sa")]);
    let ok = [
        ("c1_home", Outcome::Ok, 2),
        ("c2_home", Outcome::Ok, 40),
        ("c3_home", Outcome::Failed, 1),
    ];
    check(
        &[
            Asked {
                contract: &a,
                answer: answer(&a, &ok),
            },
            Asked {
                contract: &b,
                answer: answer(&b, &[]),
            },
        ],
        "c1_home ok by=[\"sa\"] unanswered=[]\nc2_home stale by=[\"sa\"] unanswered=[]\n\
         c3_home failed by=[\"sa\"] unanswered=[]\nc4_home never by=[] unanswered=[]\n\
         retirable=[] verdict=Problems\n",
    );
    let gone = Err(NoAnswer::new(Why::NotAnswering, "Connection refused"));
    check(
        &[
            Asked {
                contract: &a,
                answer: answer(&a, &ok),
            },
            Asked {
                contract: &b,
                answer: gone,
            },
        ],
        "c1_home ok by=[\"sa\"] unanswered=[\"sb\"]\nc2_home stale by=[\"sa\"] unanswered=[]\n\
         c3_home failed by=[\"sa\"] unanswered=[]\nc4_home unknown by=[] unanswered=[\"sb\"]\n\
         retirable=[] verdict=Problems\n",
    );
}

#[test]
fn a_drained_server_is_retirable_only_when_every_disk_is_fresh_elsewhere() {
    let a = contract("sa", "active", &["c1_home"], &[]);
    let d = contract("sd", "drain", &[], &[("c1_home", "sa")]);
    let old = [("c1_home", Outcome::Ok, 24 * 30)];
    let asked = |a_age: i64| {
        vec![
            Asked {
                contract: &a,
                answer: answer(&a, &[("c1_home", Outcome::Ok, a_age)]),
            },
            Asked {
                contract: &d,
                answer: answer(&d, &old),
            },
        ]
    };
    check(
        &asked(2),
        "c1_home ok by=[\"sa\", \"sd\"] unanswered=[]\nretirable=[\"sd\"] verdict=Fresh\n",
    );
    check(
        &asked(50),
        "c1_home stale by=[\"sa\", \"sd\"] unanswered=[]\nretirable=[] verdict=Problems\n",
    );
}

/// Make-before-break: the draining server keeps pulling, so its own success is the newest;
/// it can go once the new holder has its own fresh copy, not before.
#[test]
fn a_draining_server_that_keeps_pulling_is_retirable_once_the_new_holder_is_fresh() {
    let a = contract("sa", "active", &["c1_home"], &[]);
    let d = contract("sd", "drain", &["c1_home"], &[]);
    let asked = |a_records: &[(&str, Outcome, i64)]| {
        vec![
            Asked {
                contract: &a,
                answer: answer(&a, a_records),
            },
            Asked {
                contract: &d,
                answer: answer(&d, &[("c1_home", Outcome::Ok, 1)]),
            },
        ]
    };
    check(
        &asked(&[("c1_home", Outcome::Ok, 3)]),
        "c1_home ok by=[\"sa\", \"sd\"] unanswered=[]\nretirable=[\"sd\"] verdict=Fresh\n",
    );
    // The new holder has not finished its first copy: only the draining one is fresh.
    check(
        &asked(&[("c1_home", Outcome::Failed, 2)]),
        "c1_home ok by=[\"sa\", \"sd\"] unanswered=[]\nretirable=[] verdict=Fresh\n",
    );
    check(
        &asked(&[]),
        "c1_home ok by=[\"sd\"] unanswered=[]\nretirable=[] verdict=Fresh\n",
    );
    // Two draining servers do not vouch for each other.
    let e = contract("se", "drain", &["c1_home"], &[]);
    let both = [
        Asked {
            contract: &d,
            answer: answer(&d, &[("c1_home", Outcome::Ok, 1)]),
        },
        Asked {
            contract: &e,
            answer: answer(&e, &[("c1_home", Outcome::Ok, 2)]),
        },
    ];
    check(
        &both,
        "c1_home ok by=[\"sd\", \"se\"] unanswered=[]\nretirable=[] verdict=Fresh\n",
    );
}

#[test]
fn nobody_asked_when_no_server_could_be() {
    let a = contract("sa", "active", &["c1_home"], &[]);
    let cannot = Err(NoAnswer::new(Why::CannotAsk, "no remctl"));
    check(
        &[Asked {
            contract: &a,
            answer: cannot,
        }],
        "c1_home unknown by=[] unanswered=[\"sa\"]\nretirable=[] verdict=NobodyAsked\n",
    );
}

#[test]
fn forged_or_inconsistent_answers_are_not_used() {
    let a = contract("sa", "active", &["c1_home"], &[("c2_home", "sb")]);
    let good = answer(&a, &[("c1_home", Outcome::Ok, 1)]).expect("answer");
    assert_eq!(super::answer::check(&a, &good), Ok(()));
    let refused = |r: &ServerReport| {
        let e = super::answer::check(&a, r).expect_err("must be refused");
        assert_eq!(e.kind, Why::Malformed, "{}", e.detail);
        e.detail
    };
    let mut other = good.clone();
    other.server = "sb".into();
    assert_eq!(refused(&other), "answer is from `sb`");
    let mut claims = good.clone();
    claims.disks[1].holds = true; // c2_home is only eligible on sa
    assert!(refused(&claims).contains("c2_home"));
    let mut unknown = good.clone();
    unknown.disks[0].tag = "c9_home".into();
    assert!(refused(&unknown).contains("c9_home"));
    let mut foreign = good.clone();
    if let Some(s) = foreign.disks[0].status.as_mut() {
        s.last_attempt.server = "sb".into();
    }
    assert!(refused(&foreign).contains("names another"));
    let mut bad_time = good.clone();
    if let Some(s) = bad_time.disks[0].status.as_mut() {
        s.last_attempt.finished = "yesterday".into();
    }
    assert!(refused(&bad_time).contains("bad time"));
    // The wire parser refuses other versions and oversized answers before the shape.
    let v2 = good.to_text().replacen("\"version\":1", "\"version\":2", 1);
    assert!(ServerReport::parse(v2.as_bytes())
        .unwrap_err()
        .contains("version 2"));
    let huge = vec![b' '; mirrorc_core::contract::report::MAX_REPORT_BYTES + 1];
    assert!(ServerReport::parse(&huge)
        .unwrap_err()
        .contains("too large"));
}
