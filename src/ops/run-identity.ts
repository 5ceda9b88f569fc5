import { hostname, userInfo } from 'node:os';

/** Who ran this, for the journal: the CI actor when there is one, else the OS user. */
export function currentActor(env: NodeJS.ProcessEnv): string {
  const ci =
    env.GITHUB_ACTOR ??
    env.GITLAB_USER_LOGIN ??
    env.BUILDKITE_BUILD_CREATOR ??
    env.CIRCLE_USERNAME ??
    env.BITBUCKET_STEP_TRIGGERER_UUID;
  if (ci) return `${ci} (ci)`;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}

export function currentHost(): string {
  return hostname();
}
