import { type Schemas, ok, when, etag } from "../../common/api";
import { Link } from "../../common/router";
import { Banner, Button, Loading, Pager, usePages, useAction } from "../../common/ui";
import { href, type ScreenProps } from "../main";

/** Every account, oldest first: admins change roles and disable accounts
 * (which ends their sessions). Their own account is left alone. */
export function People({ session, identity }: ScreenProps) {
  const list = usePages((cursor) => ok(session.api.GET("/admin/users", { params: { query: { cursor, limit: 50 } } })), []);
  const action = useAction();
  const change = (u: Schemas["UserView"], body: Schemas["UserChanges"]) =>
    action.run(async () => {
      const next = await ok(session.api.PATCH("/admin/users/{id}", { params: { path: { id: u.id }, header: { "If-Match": etag(u.version) } }, body }));
      list.setValue({ ...list.value!, items: list.items!.map((x) => (x.id === next.id ? next : x)) });
    });
  return (
    <section>
      <h1>Customers &amp; staff</h1>
      <Banner error={action.error} />
      {!list.items ? (
        <Loading error={list.error} />
      ) : (
        <table class="list" aria-label="Accounts">
          <thead>
            <tr>
              <th scope="col">E-mail</th>
              <th scope="col">Since</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((u) => {
              const self = u.id === identity.sub;
              return (
                <tr key={u.id}>
                  <td>
                    {u.email}
                    {!u.email_verified && <small class="muted"> (not verified)</small>}
                    {u.role === "customer" && (
                      <>
                        {" "}
                        <Link href={href(`/orders?customer=${u.id}`)}>orders</Link>
                      </>
                    )}
                  </td>
                  <td>{when(u.created_at)}</td>
                  <td>
                    <label class="visually-hidden" for={`role-${u.id}`}>
                      Role of {u.email}
                    </label>
                    <select
                      id={`role-${u.id}`}
                      value={u.role}
                      disabled={self || action.busy}
                      onChange={(e) => {
                        const select = e.target as HTMLSelectElement;
                        const role = select.value as Schemas["Role"];
                        if (confirm(`Make ${u.email} ${role}? Their sessions end; they sign in again with the new role.`)) change(u, { role });
                        else select.value = u.role;
                      }}
                    >
                      <option value="customer">customer</option>
                      <option value="staff">staff</option>
                      <option value="admin">admin</option>
                    </select>
                  </td>
                  <td>{u.disabled ? <span class="status s-cancelled">disabled</span> : "active"}</td>
                  <td>
                    {!self && (
                      <Button
                        kind={u.disabled ? "secondary" : "danger"}
                        busy={action.busy}
                        onClick={() =>
                          (u.disabled || confirm(`Disable ${u.email}? Every session of theirs ends and they cannot sign in.`)) &&
                          change(u, { disabled: !u.disabled })
                        }
                      >
                        {u.disabled ? `Enable ${u.email}` : `Disable ${u.email}`}
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Pager page={list.page} next={list.next} previous={list.previous} />
    </section>
  );
}
