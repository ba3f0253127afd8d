/** An issue or a pull/merge request of one tracker: `12` on GitHub/GitLab, `PROJ-7` on Jira. */
export interface TrackerItem {
  /** GitHub comments on both through one endpoint; GitLab has issues and merge requests apart. */
  kind: 'issue' | 'pull';
  id: string;
}
