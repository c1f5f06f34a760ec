import Link from "next/link";

/** The graph and its mTLS view are two pages; this row links them like tabs. */
export function GraphTabs({ slug, current }: { slug: string; current: "graph" | "mtls" }) {
  const base = `/o/${encodeURIComponent(slug)}/graph`;
  const tabs = [
    { id: "graph", label: "Graph", href: base },
    { id: "mtls", label: "mTLS coverage", href: `${base}/mtls` },
  ] as const;
  return (
    <div className="sy-tabs" role="tablist" aria-label="Graph views" style={{ marginBottom: 12 }}>
      {tabs.map((tab) => (
        <Link
          key={tab.id}
          href={tab.href}
          role="tab"
          aria-selected={tab.id === current}
          className={tab.id === current ? "sy-tabs__tab sy-tabs__tab--selected" : "sy-tabs__tab"}
          data-test={`graph-tab-${tab.id}`}
        >
          {tab.label}
        </Link>
      ))}
    </div>
  );
}
