"use client";

import { Banner } from "@switchyard/ui/banner";
import { Skeleton } from "@switchyard/ui/skeleton";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { errorCodeOf, messageOf } from "~/lib/api-errors";
import { useOrganization } from "~/lib/use-organization";
import { Logo } from "./logo";
import { OrgSwitcher } from "./org-switcher";
import { UserMenu } from "./user-menu";

type Props = { slug: string; user: { name: string; email: string }; children: ReactNode };

export function OrgShell({ slug, user, children }: Props) {
  const organization = useOrganization(slug);
  const pathname = usePathname();
  const base = `/o/${encodeURIComponent(slug)}`;
  const capabilities = organization.data?.capabilities;
  const nav = [
    { href: base, label: "Overview", test: "nav-overview", isShown: true },
    { href: `${base}/clusters`, label: "Clusters", test: "nav-clusters", isShown: true },
    { href: `${base}/graph`, label: "Service graph", test: "nav-graph", isShown: true },
    { href: `${base}/policies`, label: "Policies", test: "nav-policies", isShown: true },
    { href: `${base}/members`, label: "Members", test: "nav-members", isShown: true },
    {
      href: `${base}/audit`,
      label: "Audit log",
      test: "nav-audit",
      isShown: Boolean(capabilities?.canViewAudit),
    },
  ];

  return (
    <div className="shell">
      <aside className="sidebar">
        <Link href="/" className="sidebar__brand">
          <Logo />
        </Link>
        <nav className="sidebar__nav" aria-label="Organization">
          {organization.isPending ? (
            <Skeleton lines={3} />
          ) : (
            nav
              .filter((item) => item.isShown)
              .map((item) => {
                // A cluster's own page still belongs to Clusters; the overview is only itself.
                const isActive =
                  pathname === item.href || (item.href !== base && pathname.startsWith(`${item.href}/`));
                return (
                  <Link
                    key={item.href}
                    href={item.href}
                    className={isActive ? "sidebar__link sidebar__link--active" : "sidebar__link"}
                    aria-current={pathname === item.href ? "page" : undefined}
                    data-test={item.test}
                  >
                    {item.label}
                  </Link>
                );
              })
          )}
        </nav>
      </aside>
      <div className="shell__main">
        <header className="topbar">
          <OrgSwitcher currentSlug={slug} currentName={organization.data?.name} />
          <UserMenu name={user.name} email={user.email} />
        </header>
        <main className="content">
          {organization.isError ? (
            <Banner
              tone="error"
              title={
                errorCodeOf(organization.error) === "NOT_FOUND"
                  ? "Organization not found"
                  : "This organization could not be loaded"
              }
              onRetry={
                errorCodeOf(organization.error) === "NOT_FOUND" ? undefined : () => organization.refetch()
              }
              data-test="org-error"
            >
              {messageOf(organization.error)} <Link href="/">Go to your organizations</Link>
            </Banner>
          ) : (
            children
          )}
        </main>
      </div>
    </div>
  );
}
