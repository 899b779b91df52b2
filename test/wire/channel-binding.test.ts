// Channel-binding data over real TLS sessions on 127.0.0.1: the client's and
// the server's computation agree (tls-exporter under TLS 1.3, tls-unique under
// TLS 1.2), differ between two sessions, and a type the session does not
// define (tls-unique under TLS 1.3, tls-exporter under TLS 1.2) gives none.

import { expect } from "chai";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { channelBindingData, clientChannelBinding, sessionBindingType } from "../../wire/channel-binding.ts";
import { testCredentials } from "../support/scripted-server.ts";

interface Pair {
  client: tls.TLSSocket;
  server: tls.TLSSocket;
  close(): void;
}

/** One TLS session, both ends in this process. */
async function session(maxVersion: tls.SecureVersion): Promise<Pair> {
  const { key, cert } = await testCredentials();
  let accepted: (socket: tls.TLSSocket) => void = () => {};
  const serverSide = new Promise<tls.TLSSocket>((resolve) => (accepted = resolve));
  const listener = tls.createServer({ key, cert, maxVersion }, (socket) => accepted(socket));
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const port = (listener.address() as AddressInfo).port;
  const client = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false, maxVersion });
  await new Promise<void>((resolve, reject) => client.once("secureConnect", resolve).once("error", reject));
  const server = await serverSide;
  return {
    client,
    server,
    close() {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

describe("wire/channel-binding", () => {
  it("binds TLS 1.3 with tls-exporter: 32 octets, the same on both ends, and no tls-unique", async () => {
    const pair = await session("TLSv1.3");
    try {
      expect(sessionBindingType(pair.client)).to.equal("tls-exporter");
      const binding = clientChannelBinding(pair.client);
      expect(binding?.type).to.equal("tls-exporter");
      expect(binding?.data.length).to.equal(32);
      expect(channelBindingData(pair.server, "tls-exporter", "server")?.equals(binding!.data)).to.equal(true);
      expect(channelBindingData(pair.server, "tls-unique", "server")).to.equal(null);
    } finally {
      pair.close();
    }
  });

  it("binds TLS 1.2 with tls-unique (the client's Finished message), the same on both ends, and no tls-exporter", async () => {
    const pair = await session("TLSv1.2");
    try {
      expect(sessionBindingType(pair.server)).to.equal("tls-unique");
      const binding = clientChannelBinding(pair.client);
      expect(binding?.type).to.equal("tls-unique");
      expect(binding?.data.equals(pair.client.getFinished()!)).to.equal(true);
      expect(channelBindingData(pair.server, "tls-unique", "server")?.equals(binding!.data)).to.equal(true);
      expect(channelBindingData(pair.server, "tls-exporter", "server")).to.equal(null);
    } finally {
      pair.close();
    }
  });

  it("gives two sessions different data", async () => {
    const first = await session("TLSv1.3");
    const second = await session("TLSv1.3");
    try {
      expect(clientChannelBinding(first.client)!.data.equals(clientChannelBinding(second.client)!.data)).to.equal(false);
    } finally {
      first.close();
      second.close();
    }
  });
});
