import { OverviewView } from "./overview-view";

type Props = { params: Promise<{ slug: string }> };

export default async function OrganizationPage({ params }: Props) {
  const { slug } = await params;
  return <OverviewView slug={decodeURIComponent(slug)} />;
}
