// nginx auth_request and Caddy forward_auth in front of the fast upstream,
// each asking an auth service on every request: the forward-auth pattern the
// gateway is compared with.
import { writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { type Running, startProcess } from './processes.ts'

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
}

export async function startNginx(
  dir: string,
  upstream: number,
  verify: number,
  path: string,
): Promise<Running> {
  const port = await freePort()
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream app { server 127.0.0.1:${upstream}; keepalive 64; }
  upstream auth { server 127.0.0.1:${verify}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location = /_verify {
      internal;
      proxy_pass http://auth${path};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
    }
    location / {
      auth_request /_verify;
      auth_request_set $user_id $upstream_http_x_user_id;
      proxy_set_header X-User-Id $user_id;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://app;
    }
  }
}
`,
  )
  return startProcess('nginx', 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], {}, null, port).then(
    async (running) => {
      await waitForPort(port)
      return running
    },
  )
}

export async function startCaddy(
  dir: string,
  upstream: number,
  verify: number,
  path: string,
): Promise<Running> {
  const port = await freePort()
  writeFileSync(
    join(dir, 'Caddyfile'),
    `{
  admin off
  auto_https off
}
http://127.0.0.1:${port} {
  forward_auth 127.0.0.1:${verify} {
    uri ${path}
    copy_headers X-User-Id X-User-Email X-User-Name
  }
  reverse_proxy 127.0.0.1:${upstream}
}
`,
  )
  const running = await startProcess(
    'caddy',
    'caddy',
    ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
    { HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    /serving initial configuration|server running/i,
    port,
  )
  await waitForPort(port)
  return running
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`nothing listening on ${port}`)
}
