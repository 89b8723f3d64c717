import { useState } from "preact/hooks";
import { Banner, Button, Input, Notice, useAction } from "../../common/ui";
import type { Identity, Session } from "../session";

export function SignIn({ session, onSignedIn, notice }: { session: Session; onSignedIn: (who: Identity) => void; notice?: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const action = useAction();
  document.title = "Sign in · Tillbox";
  return (
    <main class="signin" id="main">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const who = await action.run(() => session.signIn(email, password));
          if (who) onSignedIn(who);
        }}
      >
        <h1>Sign in to Tillbox</h1>
        {notice && !action.error && <Notice>{notice}</Notice>}
        <Banner error={action.error} />
        <Input label="E-mail" name="email" type="email" autoComplete="username" value={email} onValue={setEmail} errors={action.fields} required />
        <Input
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onValue={setPassword}
          errors={action.fields}
          required
        />
        <Button type="submit" busy={action.busy}>
          Sign in
        </Button>
      </form>
    </main>
  );
}
