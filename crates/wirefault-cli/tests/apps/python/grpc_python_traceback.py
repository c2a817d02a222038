"""A notes service on grpcio whose handlers catch every exception and
abort with INTERNAL and the formatted traceback as the message, "to help
debugging": the internals go to every client in grpc-message
(WF-GRPC-003)."""

import sys
import time
import traceback
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
        try:
            return self.notes[request.id]
        except Exception:
            context.abort(grpc.StatusCode.INTERNAL, traceback.format_exc())

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
