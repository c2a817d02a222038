"""A notes service on grpcio that looks a note up with `self.notes[id]`
and parses the priority filter with `int()`: a missing note or an empty id
escapes the handler as an exception, which grpcio answers UNKNOWN
("Exception calling application: ...") for a well-formed request
(WF-GRPC-001)."""

import sys
import time
import uuid
from concurrent import futures

import grpc
from grpc_reflection.v1alpha import reflection

import notes_pb2
import notes_pb2_grpc


class Notes(notes_pb2_grpc.NotesServicer):
    def __init__(self):
        self.notes = {}

    def CreateNote(self, request, context):
        if not request.title:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "title is required")
        note = notes_pb2.Note(id=str(uuid.uuid4()), title=request.title[:200],
                              priority=request.priority)
        self.notes[note.id] = note
        return note

    def GetNote(self, request, context):
        return self.notes[request.id]

    def WatchNotes(self, request, context):
        while context.is_active():
            for note in list(self.notes.values())[request.since:]:
                yield note
            time.sleep(0.2)


def serve(port):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
    notes_pb2_grpc.add_NotesServicer_to_server(Notes(), server)
    reflection.enable_server_reflection(
        (notes_pb2.DESCRIPTOR.services_by_name["Notes"].full_name, reflection.SERVICE_NAME),
        server,
    )
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


if __name__ == "__main__":
    serve(sys.argv[1])
