// A notes service on @grpc/grpc-js that answers a missing note with
// `callback(new Error("note not found"))`, as Node code passes errors on:
// grpc-js sends a plain Error as UNKNOWN (WF-GRPC-001), so the client
// cannot tell a missing note from a crash.
const path = require("path");
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");
const { ReflectionService } = require("@grpc/reflection");

const PROTO = path.join(__dirname, "../../python/grpc_protos/notes.proto");
const definition = protoLoader.loadSync(PROTO, { keepCase: true, defaults: true });
const proto = grpc.loadPackageDefinition(definition).samples.notes.v1;

const notes = new Map();
let nextId = 1;

function createNote(call, callback) {
  const { title, priority } = call.request;
  if (!title) {
    return callback({ code: grpc.status.INVALID_ARGUMENT, details: "title is required" });
  }
  const note = { id: String(nextId++), title: title.slice(0, 200), priority };
  notes.set(note.id, note);
  callback(null, note);
}

function getNote(call, callback) {
  const note = notes.get(call.request.id);
  if (!note) {
    return callback(new Error("note not found"));
  }
  callback(null, note);
}

function watchNotes(call) {
  for (const note of [...notes.values()].slice(Math.max(call.request.since, 0))) {
    call.write(note);
  }
  const timer = setInterval(() => {}, 1000);
  call.on("cancelled", () => clearInterval(timer));
}

const server = new grpc.Server();
server.addService(proto.Notes.service, { createNote, getNote, watchNotes });
new ReflectionService(definition).addToServer(server);
server.bindAsync(`127.0.0.1:${process.argv[2] || 50051}`, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
});
